/*
 * What the person, case and consent handlers share: the caller as the lead of
 * a new intake (no case yet), institutions looked up by code, argument checks,
 * audited refusals, SQL built from the field table, and the person view that
 * person_get, person_update and case_get all answer with. Nothing here decides
 * access by itself: decisions come from access.h.
 */
#ifndef SPONA_HANDLERS_UTIL_H
#define SPONA_HANDLERS_UTIL_H

#include <stddef.h>

#include "access.h"
#include "audit.h"
#include "request.h"

/*
 * OK when access is a lead_agency signatory of policy; otherwise
 * PERMISSION_DENIED with ctx->message saying why, e.g. "only a lead agency may
 * open a case: ..." (what: "open a case").
 */
spona_status handlers_require_lead_agency(struct request_context *ctx,
                                          const struct policy *policy,
                                          const struct access_case *access, const char *what);

/* An institution of the caller's municipality, found by code. */
struct handlers_institution {
    char id[UUID_TEXT];
    char code[128];
    int enabled;
    int is_signatory;       /* signed the protocol in force */
    enum policy_role role;  /* its role there, when is_signatory */
};

/*
 * Looks code up in the caller's municipality. INVALID_ARGUMENT "no institution
 * 'x' in this municipality" when there is none; other errors as request_query.
 */
spona_status handlers_find_institution(struct request_context *ctx, const struct policy *policy,
                                       const char *code, struct handlers_institution *out);

/* 0 when value is a date YYYY-MM-DD; -1 with a message naming name in err. */
int handlers_check_date(const char *name, const char *value, char *err, size_t err_size);

/* Characters (UTF-8 code points) in text. */
size_t handlers_text_length(const char *text);

/*
 * Runs SQL built from the field table (names from fields.c, never text of the
 * request) with text parameters, inside the request's transaction. Returns the
 * result (caller PQclear()s), or NULL with *status and ctx->message set. When
 * the statement fails with SQLSTATE tolerated (may be NULL), returns NULL with
 * *status CONFLICT and ctx->message untouched: the caller rolls back to its
 * savepoint. The statement labelled HANDLERS_KEPT_PLAN is prepared on the connection once
 * and its plan kept (db_exec_built); every other built statement is planned each time (its
 * text depends on the fields a request gives).
 */
#define HANDLERS_KEPT_PLAN "person_view" /* the one built statement whose text never varies */

PGresult *handlers_exec_built(struct request_context *ctx, const char *label, const char *sql,
                              int count, const char *const *params, const char *tolerated,
                              spona_status *status);

#endif
