/*
 * Handlers, one file per subject. Each is listed in dispatch.c's table; each
 * subject's SQL is in its statement table (statements.h).
 */
#ifndef SPONA_HANDLERS_H
#define SPONA_HANDLERS_H

#include "dispatch.h"

/* handlers_session.c */
spona_status handle_ping(struct request_context *ctx, const spona_request *request,
                         spona_response *response);
spona_status handle_login(struct request_context *ctx, const spona_request *request,
                          spona_response *response);
spona_status handle_resume(struct request_context *ctx, const spona_request *request,
                           spona_response *response);
spona_status handle_whoami(struct request_context *ctx, const spona_request *request,
                           spona_response *response);
spona_status handle_logout(struct request_context *ctx, const spona_request *request,
                           spona_response *response);
spona_status handle_identify(struct request_context *ctx, const spona_request *request,
                             spona_response *response);

/* Confirms the job's session is still alive (not ended, idle or too old) and touches it. */
spona_status session_check(struct request_context *ctx);

#endif
