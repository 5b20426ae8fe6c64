/*
 * The benefits_household records kept beside a person's fields: household
 * members (replaced as a list) and benefit periods (appended). Both writes
 * bump the person's version, which is the version of these lists too, and
 * answer the person as person_get would. The pipeline has already decided
 * "write" on benefits_household for the caller (the row's WRITES); this file
 * checks the request, writes, and loads the answer. Never logs a name or an
 * amount.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflict_explain.h"
#include "handlers.h"
#include "handlers_util.h"
#include "handlers_person.h"
#include "statements.h"

#define HOUSEHOLD_MAX_MEMBERS 50
#define RECORD_TEXT_MAX_BYTES 2000

const struct db_statement household_statements[] = {
    /* household and benefits: the person's version is the version of these lists */
    {"household_person_bump",
     "UPDATE persons SET version = version + 1, updated_at = now(),"
     "       updated_by = spona_current_user(), updated_categories = '{benefits_household}'"
     " WHERE id = $1::uuid AND version = $2::bigint RETURNING version"},
    {"household_clear", "DELETE FROM person_household WHERE person_id = $1::uuid"},
    {"household_add",
     "INSERT INTO person_household (person_id, municipality_id, name, relation, birth_year)"
     " VALUES ($1::uuid, $2::uuid, $3, $4, NULLIF($5, '0')::int)"},
    {"household_benefit_add",
     "INSERT INTO person_benefits (person_id, municipality_id, kind, since, until, amount, note)"
     " VALUES ($1::uuid, $2::uuid, $3, $4::date, NULLIF($5, '')::date,"
     "         NULLIF($6, '')::numeric, $7)"},
    {NULL, NULL},
};

static int record_text_ok(const char *name, const char *value, int required, char *err,
                          size_t err_size)
{
    if (required && value[0] == '\0') {
        snprintf(err, err_size, "%s: required", name);
        return 0;
    }
    if (strlen(value) > RECORD_TEXT_MAX_BYTES) {
        snprintf(err, err_size, "%s: at most %d bytes", name, RECORD_TEXT_MAX_BYTES);
        return 0;
    }
    return 1;
}

/* 0 when members are valid; -1 with a message naming the member and what is wrong. */
static int household_check(Spona__V1__HouseholdMember *const *members, size_t count, char *err,
                           size_t err_size)
{
    static const char *const relations[] = {"spouse", "child", "parent", "sibling", "other"};
    if (count > HOUSEHOLD_MAX_MEMBERS) {
        snprintf(err, err_size, "members: at most %d", HOUSEHOLD_MAX_MEMBERS);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        char name[48];
        snprintf(name, sizeof(name), "members[%zu].name", i);
        if (!record_text_ok(name, members[i]->name, 1, err, err_size))
            return -1;
        int known = 0;
        for (size_t r = 0; r < sizeof(relations) / sizeof(relations[0]); r++)
            known |= strcmp(members[i]->relation, relations[r]) == 0;
        if (!known) {
            snprintf(err, err_size,
                     "members[%zu].relation: not one of spouse, child, parent, "
                     "sibling, other", i);
            return -1;
        }
        uint32_t year = members[i]->birth_year;
        if (year != 0 && (year < 1900 || year > 2100)) {
            snprintf(err, err_size, "members[%zu].birth_year: 1900-2100 (0: unknown)", i);
            return -1;
        }
    }
    return 0;
}

/* 0 when text is a decimal >= 0 with at most 2 decimals and 10 integer digits. */
static int benefit_amount_ok(const char *text)
{
    size_t integer = strspn(text, "0123456789");
    if (integer == 0 || integer > 10)
        return 0;
    if (text[integer] == '\0')
        return 1;
    if (text[integer] != '.')
        return 0;
    size_t fraction = strspn(text + integer + 1, "0123456789");
    return fraction >= 1 && fraction <= 2 && text[integer + 1 + fraction] == '\0';
}

/* 0 when the period is valid; -1 with a message naming the field. */
static int benefit_check(const Spona__V1__BenefitPeriod *benefit, char *err, size_t err_size)
{
    static const char *const kinds[] = {"cash_assistance", "one_time_assistance",
                                        "child_allowance", "other"};
    if (benefit == NULL) {
        snprintf(err, err_size, "benefit: required");
        return -1;
    }
    int known = 0;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        known |= strcmp(benefit->kind, kinds[k]) == 0;
    if (!known) {
        snprintf(err, err_size,
                 "benefit.kind: not one of cash_assistance, one_time_assistance, "
                 "child_allowance, other");
        return -1;
    }
    if (handlers_check_date("benefit.since", benefit->since, err, err_size) != 0)
        return -1;
    if (benefit->until[0] != '\0') {
        if (handlers_check_date("benefit.until", benefit->until, err, err_size) != 0)
            return -1;
        if (strcmp(benefit->until, benefit->since) < 0) {
            snprintf(err, err_size, "benefit.until: before benefit.since");
            return -1;
        }
    }
    if (benefit->amount[0] != '\0' && !benefit_amount_ok(benefit->amount)) {
        snprintf(err, err_size,
                 "benefit.amount: not an amount in BAM (digits, at most 2 "
                 "decimals after a point, not negative)");
        return -1;
    }
    return record_text_ok("benefit.note", benefit->note, 0, err, err_size) ? 0 : -1;
}

/* Writes one benefits_household change; the person's id and municipality are $1, $2. */
typedef spona_status (*household_writer)(struct request_context *ctx, const char *person_id,
                                         const spona_request *request);

static spona_status household_write_members(struct request_context *ctx, const char *person_id,
                                            const spona_request *request)
{
    const Spona__V1__HouseholdSetRequest *set = request->household_set;
    const char *params[5] = {person_id, ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "household_clear", 1, params, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    for (size_t i = 0; i < set->n_members; i++) {
        char year[16];
        snprintf(year, sizeof(year), "%u", set->members[i]->birth_year);
        params[2] = set->members[i]->name;
        params[3] = set->members[i]->relation;
        params[4] = year;
        result = request_query(ctx, "household_add", 5, params, &status);
        if (result == NULL)
            return status;
        PQclear(result);
    }
    return SPONA__V1__STATUS__OK;
}

static spona_status household_write_benefit(struct request_context *ctx, const char *person_id,
                                            const spona_request *request)
{
    const Spona__V1__BenefitPeriod *benefit = request->benefit_add->benefit;
    const char *params[] = {person_id,      ctx->job->installation.municipality_id,
                            benefit->kind,  benefit->since,
                            benefit->until, benefit->amount,
                            benefit->note};
    spona_status status;
    PGresult *result = request_query(ctx, "household_benefit_add", 7, params, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* Bumps the person's version when it is still expected; else CONFLICT naming the current one. */
static spona_status household_bump(struct request_context *ctx, const char *person_id,
                                   uint64_t expected)
{
    char expected_text[24];
    snprintf(expected_text, sizeof(expected_text), "%llu", (unsigned long long)expected);
    const char *params[] = {person_id, expected_text};
    spona_status status;
    PGresult *result = request_query(ctx, "household_person_bump", 2, params, &status);
    if (result == NULL)
        return status;
    int bumped = PQntuples(result) == 1;
    PQclear(result);
    if (bumped)
        return SPONA__V1__STATUS__OK;
    /* person_version: handlers_person.c's statement, under row-level security */
    result = request_query(ctx, "person_version", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1) {
        char current[24];
        snprintf(current, sizeof(current), "%s", PQgetvalue(result, 0, 0));
        status = conflict_explain(ctx, CONFLICT_PERSON, person_id, current);
    } else {
        snprintf(ctx->message, sizeof(ctx->message), "no person %s that you may see", person_id);
        error_code_set(&ctx->error, "not_visible");
        error_code_param(&ctx->error, "record", "person");
        status = SPONA__V1__STATUS__NOT_FOUND;
    }
    PQclear(result);
    return status;
}

/*
 * The shape of household_set and benefit_add (the pipeline decided the write):
 * bump the person's version, write, answer the person as person_get would.
 */
static spona_status household_change(struct request_context *ctx, const spona_request *request,
                                     uint64_t expected_version, household_writer writer,
                                     Spona__V1__PersonView **out)
{
    *out = NULL;
    const char *person_id = ctx->subject.person_id;
    spona_status status = household_bump(ctx, person_id, expected_version);
    if (status == SPONA__V1__STATUS__OK)
        status = writer(ctx, person_id, request);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    ctx->record.disclosed |= POLICY_BIT(POLICY_CATEGORY_BENEFITS_HOUSEHOLD);
    return person_view_load(ctx, ctx->policy, &ctx->subject, out, &ctx->record);
}

spona_status handle_household_set(struct request_context *ctx, const spona_request *request,
                                  spona_response *response)
{
    const Spona__V1__HouseholdSetRequest *set = request->household_set;
    if (household_check(set->members, set->n_members, ctx->message, sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu members", set->n_members);
    ctx->record.detail = ctx->audit_detail;
    Spona__V1__PersonView *view;
    spona_status status = household_change(ctx, request, set->expected_version,
                                           household_write_members, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_HOUSEHOLD_SET;
    response->household_set = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_benefit_add(struct request_context *ctx, const spona_request *request,
                                spona_response *response)
{
    const Spona__V1__BenefitAddRequest *add = request->benefit_add;
    if (benefit_check(add->benefit, ctx->message, sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    ctx->record.detail = "1 benefit period";
    Spona__V1__PersonView *view;
    spona_status status = household_change(ctx, request, add->expected_version,
                                           household_write_benefit, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_BENEFIT_ADD;
    response->benefit_add = view;
    return SPONA__V1__STATUS__OK;
}
