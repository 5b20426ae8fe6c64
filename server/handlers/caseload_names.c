/*
 * The person's name in lists (see caseload_names.h): the database's category view
 * (persons_for_caller, sql/028) says what the row security and the decision table
 * let through, the policy in C says why (the clause for the audit record); a name
 * is shown only when both let it.
 */
#include "caseload_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statements.h"
#include "views.h"

const struct db_statement caseload_names_statements[] = {
    {"caseload_name_case",
     "SELECT first_name, last_name FROM persons_for_caller WHERE id = $1::uuid"},
    /* sql/041: only for a referral addressed to the caller, never when excluded */
    {"caseload_name_referral",
     "SELECT first_name, last_name, case_number FROM spona_referral_addressee_name($1::uuid)"},
    {NULL, NULL},
};

/* Fills out from columns 0 and 1 of row 0 when allowed and both are there; else hidden. */
static spona_status caseload_name_take(const PGresult *result, int allowed,
                                       struct caseload_name *out)
{
    memset(out, 0, sizeof(*out));
    out->hidden = 1;
    if (!allowed || PQntuples(result) != 1 || PQgetisnull(result, 0, 0) ||
        PQgetisnull(result, 0, 1))
        return SPONA__V1__STATUS__OK;
    out->first = views_strdup(PQgetvalue(result, 0, 0));
    out->last = views_strdup(PQgetvalue(result, 0, 1));
    if (out->first == NULL || out->last == NULL) {
        caseload_name_free(out);
        return SPONA__V1__STATUS__INTERNAL;
    }
    out->hidden = 0;
    return SPONA__V1__STATUS__OK;
}

/* Puts identity on record: disclosed with its clause when shown, else denied. */
static void caseload_name_record(const struct caseload_name *name,
                                 const struct policy_decision *decision,
                                 struct audit_record *record)
{
    if (!name->hidden) {
        record->disclosed |= POLICY_BIT(POLICY_CATEGORY_IDENTITY);
        audit_add_clause(record, decision->clause_number);
    } else {
        record->denied |= POLICY_BIT(POLICY_CATEGORY_IDENTITY);
    }
}

static spona_status caseload_name_query(struct request_context *ctx, const char *statement,
                                        const char *id, const struct access_case *access,
                                        struct caseload_name *out, char *case_number,
                                        struct audit_record *record)
{
    memset(out, 0, sizeof(*out));
    out->hidden = 1;
    struct policy_decision decision;
    access_decide(ctx->policy, access, POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ, &decision);
    const char *params[] = {id};
    spona_status status;
    PGresult *result = request_query(ctx, statement, 1, params, &status);
    if (result == NULL)
        return status;
    status = caseload_name_take(result, decision.allowed && !access->caller_excluded, out);
    if (case_number != NULL) {
        case_number[0] = '\0';
        if (PQntuples(result) == 1 && PQnfields(result) > 2 && !PQgetisnull(result, 0, 2))
            snprintf(case_number, 64, "%s", PQgetvalue(result, 0, 2));
    }
    PQclear(result);
    if (status == SPONA__V1__STATUS__OK)
        caseload_name_record(out, &decision, record);
    return status;
}

spona_status caseload_name_for_case(struct request_context *ctx, const struct access_case *access,
                                    struct caseload_name *out, struct audit_record *record)
{
    return caseload_name_query(ctx, "caseload_name_case", access->person_id, access, out, NULL,
                               record);
}

spona_status caseload_name_for_referral(struct request_context *ctx, const char *referral_id,
                                        const struct access_case *addressee,
                                        struct caseload_name *out, char *case_number,
                                        struct audit_record *record)
{
    return caseload_name_query(ctx, "caseload_name_referral", referral_id, addressee, out,
                               case_number, record);
}

int caseload_name_give(struct caseload_name *name, char **first, char **last, int *hidden)
{
    free(*first == protobuf_c_empty_string ? NULL : *first);
    free(*last == protobuf_c_empty_string ? NULL : *last);
    *first = name->first != NULL ? name->first : views_strdup("");
    *last = name->last != NULL ? name->last : views_strdup("");
    *hidden = name->hidden;
    name->first = name->last = NULL;
    return *first != NULL && *last != NULL ? 0 : -1;
}

void caseload_name_free(struct caseload_name *name)
{
    free(name->first);
    free(name->last);
    name->first = name->last = NULL;
}
