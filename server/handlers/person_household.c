/*
 * The household members and benefit periods of a person view (see
 * person_household.h). Reads the category-aware views of sql/029 inside the
 * request's transaction: a row whose values the database withholds (NULL: it
 * does not let the caller read benefits_household) is left out. Never decides
 * in C and never logs a name or an amount.
 */
#include "person_household.h"

#include <stdio.h>
#include <stdlib.h>

#include "case_records_util.h"
#include "statements.h"
#include "views.h"

const struct db_statement person_household_statements[] = {
    {PERSON_HOUSEHOLD_MEMBERS,
     "SELECT name, relation, COALESCE(birth_year, 0)::text FROM person_household_for_caller"
     " WHERE person_id = $1::uuid AND name IS NOT NULL"
     " ORDER BY birth_year NULLS LAST, name, id"},
    {PERSON_HOUSEHOLD_BENEFITS,
     "SELECT kind, to_char(since, 'YYYY-MM-DD'), COALESCE(to_char(until, 'YYYY-MM-DD'), ''),"
     "       COALESCE(amount::text, ''), note FROM person_benefits_for_caller"
     " WHERE person_id = $1::uuid AND kind IS NOT NULL ORDER BY since, created_at, id"},
    {NULL, NULL},
};

/* One row of person_household_members; NULL when out of memory. */
static Spona__V1__HouseholdMember *household_member(const PGresult *rows, int row)
{
    Spona__V1__HouseholdMember *member = malloc(sizeof(*member));
    if (member == NULL)
        return NULL;
    spona__v1__household_member__init(member);
    member->birth_year = (uint32_t)strtoul(PQgetvalue(rows, row, 2), NULL, 10);
    char **const texts[] = {&member->name, &member->relation};
    if (case_records_row_texts(rows, row, texts, 2) != 0) {
        spona__v1__household_member__free_unpacked(member, NULL);
        return NULL;
    }
    return member;
}

/* One row of person_household_benefits; NULL when out of memory. */
static Spona__V1__BenefitPeriod *household_benefit(const PGresult *rows, int row)
{
    Spona__V1__BenefitPeriod *benefit = malloc(sizeof(*benefit));
    if (benefit == NULL)
        return NULL;
    spona__v1__benefit_period__init(benefit);
    char **const texts[] = {&benefit->kind, &benefit->since, &benefit->until, &benefit->amount,
                            &benefit->note};
    if (case_records_row_texts(rows, row, texts, 5) != 0) {
        spona__v1__benefit_period__free_unpacked(benefit, NULL);
        return NULL;
    }
    return benefit;
}

spona_status person_household_fill(struct request_context *ctx, PGresult *members,
                                   PGresult *benefits, Spona__V1__PersonView *view,
                                   struct audit_record *record)
{
    int failed = 0;
    for (int row = 0; row < PQntuples(members) && !failed; row++) {
        Spona__V1__HouseholdMember *member = household_member(members, row);
        failed = member == NULL ||
                 views_append((void ***)&view->household, &view->n_household, member) != 0;
        if (failed && member != NULL)
            spona__v1__household_member__free_unpacked(member, NULL);
    }
    for (int row = 0; row < PQntuples(benefits) && !failed; row++) {
        Spona__V1__BenefitPeriod *benefit = household_benefit(benefits, row);
        failed = benefit == NULL ||
                 views_append((void ***)&view->benefits, &view->n_benefits, benefit) != 0;
        if (failed && benefit != NULL)
            spona__v1__benefit_period__free_unpacked(benefit, NULL);
    }
    PQclear(members);
    PQclear(benefits);
    if (failed) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    if (view->n_household > 0 || view->n_benefits > 0)
        record->disclosed |= POLICY_BIT(POLICY_CATEGORY_BENEFITS_HOUSEHOLD);
    return SPONA__V1__STATUS__OK;
}
