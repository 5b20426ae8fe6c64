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

/* handlers_protocol.c */
spona_status handle_protocol_import(struct request_context *ctx, const spona_request *request,
                                    spona_response *response);
spona_status handle_protocol_show(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);

/* handlers_person.c */
spona_status handle_person_create(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);
spona_status handle_person_get(struct request_context *ctx, const spona_request *request,
                               spona_response *response);
spona_status handle_person_update(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);

/* handlers_case.c */
spona_status handle_case_open(struct request_context *ctx, const spona_request *request,
                              spona_response *response);
spona_status handle_case_get(struct request_context *ctx, const spona_request *request,
                             spona_response *response);
spona_status handle_referral_create(struct request_context *ctx, const spona_request *request,
                                    spona_response *response);
spona_status handle_referral_accept(struct request_context *ctx, const spona_request *request,
                                    spona_response *response);
spona_status handle_emergency_access(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);

/* handlers_exclusion.c */
spona_status handle_case_exclude(struct request_context *ctx, const spona_request *request,
                                 spona_response *response);

/* handlers_review.c */
spona_status handle_emergency_review(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);

/* handlers_consent.c */
spona_status handle_consent_grant(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);
spona_status handle_consent_withdraw(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);
spona_status handle_consent_list(struct request_context *ctx, const spona_request *request,
                                 spona_response *response);

/* handlers_audit.c */
spona_status handle_explain(struct request_context *ctx, const spona_request *request,
                            spona_response *response);
spona_status handle_audit_verify(struct request_context *ctx, const spona_request *request,
                                 spona_response *response);
spona_status handle_disclosures(struct request_context *ctx, const spona_request *request,
                                spona_response *response);

/* Confirms the job's session is still alive (not ended, idle or too old) and touches it. */
spona_status session_check(struct request_context *ctx);

#endif
