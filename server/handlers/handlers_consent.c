/*
 * Consent: the lead of a person's case records, per institution and data
 * category, that the person agreed (on a signed form) to share that category
 * with that institution, and records its withdrawal. Decisions read the
 * current consents on every request (access.c), so a withdrawal takes effect
 * for the very next one. The team may list a person's consents, each only when
 * the caller may read its category (a consent to share health data says the
 * person has some). The pipeline has found the person and refused a caller
 * excluded from her; audit records name institutions and categories, never the
 * form's content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"

#define CONSENT_MAX_FORM_REFERENCE 200

#define CONSENT_IN_FORCE                                                                 \
    "(k.withdrawn_at IS NULL AND k.given_on <= current_date"                             \
    " AND (k.expires_on IS NULL OR k.expires_on >= current_date))"

const struct db_statement consent_statements[] = {
    {"consent_today", "SELECT to_char(current_date, 'YYYY-MM-DD')"},
    {"consent_insert",
     "INSERT INTO consents (municipality_id, person_id, institution_id, category, given_on,"
     "                      form_reference, expires_on, recorded_by)"
     " VALUES ($1, $2::uuid, $3, $4, $5::date, $6, NULLIF($7, '')::date, $8) RETURNING id"},
    /* $3: the categories as a text array; empty: every category */
    {"consent_withdraw",
     "UPDATE consents k SET withdrawn_at = now()"
     " WHERE k.person_id = $1::uuid AND k.institution_id = $2 AND " CONSENT_IN_FORCE
     "   AND (cardinality($3::text[]) = 0 OR k.category = ANY ($3::text[]))"},
    {"consent_list",
     "SELECT k.id, i.code, k.category, to_char(k.given_on, 'YYYY-MM-DD'), k.form_reference,"
     "       COALESCE(to_char(k.expires_on, 'YYYY-MM-DD'), ''),"
     "       COALESCE(to_char(k.withdrawn_at AT TIME ZONE 'UTC',"
     "                        'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), " CONSENT_IN_FORCE
     "  FROM consents k JOIN institutions i ON i.id = k.institution_id"
     " WHERE k.person_id = $1::uuid"
     " ORDER BY k.recorded_at, i.code, k.category"},
    {NULL, NULL},
};

/* Reads category codes (person-level only) into *out; INVALID_ARGUMENT naming a bad one. */
static spona_status consent_categories(struct request_context *ctx, char *const *names,
                                       size_t count, policy_mask *out)
{
    *out = 0;
    for (size_t i = 0; i < count; i++) {
        int category = policy_category_from_name(names[i]);
        if (category < 0) {
            snprintf(ctx->message, sizeof(ctx->message), "categories[%zu]: not a category", i);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        if (!policy_category_is_person_level((enum policy_category)category)) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "category '%s' is not a category of a person's data", names[i]);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        *out |= POLICY_BIT(category);
    }
    return SPONA__V1__STATUS__OK;
}

/* Writes the categories of mask separated by separator, with open and close around them. */
static void consent_category_list(policy_mask mask, const char *open, const char *separator,
                                  const char *close, char *out, size_t out_size)
{
    size_t used = (size_t)snprintf(out, out_size, "%s", open);
    int first = 1;
    for (int category = 0; category < POLICY_CATEGORY_COUNT && used < out_size; category++) {
        if (!(mask & POLICY_BIT(category)))
            continue;
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", first ? "" : separator,
                                 policy_category_name((enum policy_category)category));
        first = 0;
    }
    if (used < out_size)
        snprintf(out + used, out_size - used, "%s", close);
}

/* OK when the caller leads the person's case; else PERMISSION_DENIED saying so. */
static spona_status consent_require_lead(struct request_context *ctx)
{
    if (ctx->subject.subject.is_lead_institution)
        return SPONA__V1__STATUS__OK;
    snprintf(ctx->message, sizeof(ctx->message),
             "only the lead institution of the person's case may record consent");
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

/* Checks given_on, expires_on and form_reference of a grant (not against today). */
static spona_status consent_check_grant(struct request_context *ctx,
                                        const Spona__V1__ConsentGrantRequest *grant)
{
    if (handlers_check_date("given_on", grant->given_on, ctx->message, sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    if (grant->expires_on[0] != '\0') {
        if (handlers_check_date("expires_on", grant->expires_on, ctx->message,
                                sizeof(ctx->message)) != 0)
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        if (strcmp(grant->expires_on, grant->given_on) <= 0) { /* both YYYY-MM-DD */
            snprintf(ctx->message, sizeof(ctx->message), "expires_on must be after given_on");
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
    }
    size_t length = handlers_text_length(grant->form_reference);
    if (length == 0 || length > CONSENT_MAX_FORM_REFERENCE) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "form_reference: required, the reference of the signed form (at most %d "
                 "characters)", CONSENT_MAX_FORM_REFERENCE);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (grant->n_categories == 0) {
        snprintf(ctx->message, sizeof(ctx->message), "categories: at least one");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

/* INVALID_ARGUMENT when given_on is after today (the database's date). */
static spona_status consent_check_not_future(struct request_context *ctx, const char *given_on)
{
    spona_status status;
    PGresult *result = request_query(ctx, "consent_today", 0, NULL, &status);
    if (result == NULL)
        return status;
    int future = strcmp(given_on, PQgetvalue(result, 0, 0)) > 0;
    PQclear(result);
    if (!future)
        return SPONA__V1__STATUS__OK;
    snprintf(ctx->message, sizeof(ctx->message), "given_on: %s is in the future", given_on);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/* Inserts one consent per category; appends their ids to answer. */
static spona_status consent_insert(struct request_context *ctx,
                                   const Spona__V1__ConsentGrantRequest *grant,
                                   const char *institution_id, policy_mask categories,
                                   Spona__V1__ConsentGrantResponse *answer)
{
    const struct job *job = ctx->job;
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!(categories & POLICY_BIT(category)))
            continue;
        const char *params[] = {job->installation.municipality_id,
                                grant->person_id,
                                institution_id,
                                policy_category_name((enum policy_category)category),
                                grant->given_on,
                                grant->form_reference,
                                grant->expires_on,
                                job->session.user_id};
        spona_status status;
        PGresult *result = request_query(ctx, "consent_insert", 8, params, &status);
        if (result == NULL)
            return status;
        char *id = views_strdup(PQgetvalue(result, 0, 0));
        PQclear(result);
        if (id == NULL ||
            views_append((void ***)&answer->consent_ids, &answer->n_consent_ids, id) != 0) {
            free(id);
            return SPONA__V1__STATUS__INTERNAL;
        }
    }
    return SPONA__V1__STATUS__OK;
}

spona_status handle_consent_grant(struct request_context *ctx, const spona_request *request,
                                  spona_response *response)
{
    const Spona__V1__ConsentGrantRequest *grant = request->consent_grant;
    policy_mask categories;
    spona_status status = consent_categories(ctx, grant->categories, grant->n_categories,
                                             &categories);
    if (status == SPONA__V1__STATUS__OK)
        status = consent_check_grant(ctx, grant);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char names[200];
    consent_category_list(categories, "", ",", "", names, sizeof(names));
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "for %.40s: %s",
             grant->institution_code, names);
    ctx->record.detail = ctx->audit_detail;
    status = consent_require_lead(ctx);
    if (status == SPONA__V1__STATUS__OK)
        status = consent_check_not_future(ctx, grant->given_on);
    struct handlers_institution institution;
    if (status == SPONA__V1__STATUS__OK)
        status = handlers_find_institution(ctx, ctx->policy, grant->institution_code,
                                           &institution);
    if (status != SPONA__V1__STATUS__OK)
        return status;

    Spona__V1__ConsentGrantResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__consent_grant_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_CONSENT_GRANT;
    response->consent_grant = answer; /* freed with the response on a failure */
    return consent_insert(ctx, grant, institution.id, categories, answer);
}

spona_status handle_consent_withdraw(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__ConsentWithdrawRequest *withdraw = request->consent_withdraw;
    policy_mask categories;
    spona_status status = consent_categories(ctx, withdraw->categories, withdraw->n_categories,
                                             &categories);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char names[200], array[200];
    consent_category_list(categories, "", ",", "", names, sizeof(names));
    consent_category_list(categories, "{", ",", "}", array, sizeof(array));
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "for %.40s: %s",
             withdraw->institution_code, categories != 0 ? names : "every category");
    ctx->record.detail = ctx->audit_detail;
    status = consent_require_lead(ctx);
    struct handlers_institution institution;
    if (status == SPONA__V1__STATUS__OK)
        status = handlers_find_institution(ctx, ctx->policy, withdraw->institution_code,
                                           &institution);
    if (status != SPONA__V1__STATUS__OK)
        return status;

    const char *params[] = {ctx->subject.person_id, institution.id, array};
    PGresult *result = request_query(ctx, "consent_withdraw", 3, params, &status);
    if (result == NULL)
        return status;
    uint32_t withdrawn = (uint32_t)strtoul(PQcmdTuples(result), NULL, 10);
    PQclear(result);
    size_t used = strlen(ctx->audit_detail);
    snprintf(ctx->audit_detail + used, sizeof(ctx->audit_detail) - used, " (%u withdrawn)",
             withdrawn);

    Spona__V1__ConsentWithdrawResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__consent_withdraw_response__init(answer);
    answer->withdrawn = withdrawn;
    response->body_case = SPONA__V1__RESPONSE__BODY_CONSENT_WITHDRAW;
    response->consent_withdraw = answer;
    return SPONA__V1__STATUS__OK;
}

/* One row of consent_list as a Consent; NULL when out of memory. */
static Spona__V1__Consent *consent_from_row(const PGresult *result, int row)
{
    Spona__V1__Consent *consent = malloc(sizeof(*consent));
    if (consent == NULL)
        return NULL;
    spona__v1__consent__init(consent);
    char **texts[] = {&consent->consent_id, &consent->institution_code, &consent->category,
                      &consent->given_on,   &consent->form_reference,   &consent->expires_on,
                      &consent->withdrawn_at};
    int failed = 0;
    for (int i = 0; i < (int)(sizeof(texts) / sizeof(texts[0])); i++) {
        *texts[i] = views_strdup(PQgetvalue(result, row, i));
        failed |= *texts[i] == NULL;
    }
    consent->in_force = strcmp(PQgetvalue(result, row, 7), "t") == 0;
    if (failed) {
        spona__v1__consent__free_unpacked(consent, NULL);
        return NULL;
    }
    return consent;
}

/* 1 when the caller may read the category of the consent on row (its existence says some). */
static int consent_readable(struct request_context *ctx, const PGresult *result, int row)
{
    int category = policy_category_from_name(PQgetvalue(result, row, 2));
    if (category < 0)
        return 0;
    struct policy_decision decision;
    access_decide(ctx->policy, &ctx->subject, (enum policy_category)category,
                  POLICY_ACTION_READ, &decision);
    if (!decision.allowed)
        ctx->record.denied |= POLICY_BIT(category);
    return decision.allowed;
}

spona_status handle_consent_list(struct request_context *ctx, const spona_request *request,
                                 spona_response *response)
{
    (void)request;
    const char *params[] = {ctx->subject.person_id};
    spona_status status;
    PGresult *result = request_query(ctx, "consent_list", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__ConsentListResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__consent_list_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_CONSENT_LIST;
    response->consent_list = answer; /* freed with the response on a failure */
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++) {
        if (!consent_readable(ctx, result, row))
            continue;
        Spona__V1__Consent *consent = consent_from_row(result, row);
        if (consent == NULL ||
            views_append((void ***)&answer->consents, &answer->n_consents, consent) != 0) {
            if (consent != NULL)
                spona__v1__consent__free_unpacked(consent, NULL);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    PQclear(result);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu consents", answer->n_consents);
    ctx->record.detail = ctx->audit_detail;
    return status;
}
