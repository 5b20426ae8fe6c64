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

#include "views.h"

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

spona_status caseload_name_from_row(const struct policy *policy, const struct access_case *access,
                                    const PGresult *result, int row, int column,
                                    struct caseload_name *out, struct audit_record *record)
{
    memset(out, 0, sizeof(*out));
    out->hidden = 1;
    struct policy_decision decision;
    access_decide(policy, access, POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ, &decision);
    int given = row >= 0 && row < PQntuples(result) && column + 1 < PQnfields(result) &&
                !PQgetisnull(result, row, column) && !PQgetisnull(result, row, column + 1);
    if (decision.allowed && !access->caller_excluded && given) {
        out->first = views_strdup(PQgetvalue(result, row, column));
        out->last = views_strdup(PQgetvalue(result, row, column + 1));
        if (out->first == NULL || out->last == NULL) {
            caseload_name_free(out);
            out->hidden = 1;
            return SPONA__V1__STATUS__INTERNAL;
        }
        out->hidden = 0;
    }
    caseload_name_record(out, &decision, record);
    return SPONA__V1__STATUS__OK;
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
