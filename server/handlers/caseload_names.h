/*
 * The person's name in lists (case_list, inbox, overdue): shown only as the
 * protocol lets the caller read the person's identity, else marked hidden, never
 * leaked; each shown name is put on the row's audit record (identity disclosed,
 * with its clause), so the person's disclosures list the list that showed her.
 * The names come with the list's own rows (one statement for the whole list, the
 * joins below), never with a query per row; the decision is made here per row.
 */
#ifndef SPONA_CASELOAD_NAMES_H
#define SPONA_CASELOAD_NAMES_H

#include "request.h"

/*
 * SQL: the name of the person whose id is the expression person (e.g. "c.person_id")
 * as the database's category view gives it to the caller (persons_for_caller, sql/028:
 * NULL when row security or the decision table keeps it back), as the columns
 * CASELOAD_NAME_COLUMNS. A lateral join with LIMIT 1 (at most one row per id anyway),
 * which PostgreSQL cannot flatten into a join with the whole view: the view is read
 * for the list's rows only, each by the person's id (without it, a hash join over
 * every person the caller may see: 30 s on 50,000 persons).
 */
#define CASELOAD_NAME_JOIN(person)                                                         \
    " LEFT JOIN LATERAL (SELECT pc.first_name, pc.last_name FROM persons_for_caller pc"    \
    "                     WHERE pc.id = " person " LIMIT 1) pn ON true"
#define CASELOAD_NAME_COLUMNS "pn.first_name, pn.last_name"

/*
 * SQL: the name of the person a referral addressed to the caller is about (the
 * referral's id: the expression referral) and its case's number, sql/041
 * spona_referral_addressee_name (never for an excluded caller), as the columns
 * CASELOAD_ADDRESSEE_NAME_COLUMNS (first name, last name, case number).
 */
#define CASELOAD_ADDRESSEE_NAME_JOIN(referral)                                             \
    " LEFT JOIN LATERAL spona_referral_addressee_name(" referral ") an ON true"
#define CASELOAD_ADDRESSEE_NAME_COLUMNS "an.first_name, an.last_name, an.case_number"

/* A name as a list shows it: both NULL and hidden = 1 when the caller may not read it. */
struct caseload_name {
    char *first;  /* heap (free()), NULL when hidden */
    char *last;
    int hidden;
};

/*
 * The name in columns column (first) and column + 1 (last) of row, as one of the joins
 * above gave it, for access (the caller on the person's case): shown when both are
 * there, the caller is not excluded and the decision on identity under policy allows
 * it; hidden otherwise. record gets identity disclosed with its clause, or denied.
 * OK, or INTERNAL when out of memory.
 */
spona_status caseload_name_from_row(const struct policy *policy, const struct access_case *access,
                                    const PGresult *result, int row, int column,
                                    struct caseload_name *out, struct audit_record *record);

/* Moves the name into a list row's strings (the row owns them after); 0, -1 out of memory. */
int caseload_name_give(struct caseload_name *name, char **first, char **last, int *hidden);

/* Frees what a name still holds. */
void caseload_name_free(struct caseload_name *name);

#endif
