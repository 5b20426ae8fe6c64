/*
 * The person's name in lists (case_list, inbox, overdue): shown only as the
 * protocol lets the caller read the person's identity, else marked hidden, never
 * leaked; each shown name is put on the row's audit record (identity disclosed,
 * with its clause), so the person's disclosures list the list that showed her.
 */
#ifndef SPONA_CASELOAD_NAMES_H
#define SPONA_CASELOAD_NAMES_H

#include "request.h"

extern const struct db_statement caseload_names_statements[];

/* A name as a list shows it: both NULL and hidden = 1 when the caller may not read it. */
struct caseload_name {
    char *first;  /* heap (free()), NULL when hidden */
    char *last;
    int hidden;
};

/*
 * The person of access (a case the caller may see) from persons_for_caller, shown when
 * that view gives it and the decision on identity allows it; record gets the decision.
 * OK, or a database error / INTERNAL.
 */
spona_status caseload_name_for_case(struct request_context *ctx, const struct access_case *access,
                                    struct caseload_name *out, struct audit_record *record);

/*
 * The person a referral addressed to the caller is about, for addressee (the caller
 * placed on the referral's case as its addressee): shown when the decision on identity
 * allows it. case_number (64 bytes) gets the case's number (empty when unknown).
 */
spona_status caseload_name_for_referral(struct request_context *ctx, const char *referral_id,
                                        const struct access_case *addressee,
                                        struct caseload_name *out, char *case_number,
                                        struct audit_record *record);

/* Moves the name into a list row's strings (the row owns them after); 0, -1 out of memory. */
int caseload_name_give(struct caseload_name *name, char **first, char **last, int *hidden);

/* Frees what a name still holds. */
void caseload_name_free(struct caseload_name *name);

#endif
