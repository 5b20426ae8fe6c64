/*
 * Referrals from plan measures (see plan_referrals.h). The referral's measure text
 * is the measure's kind and description ("training: CNC operator course"), cut at
 * a character boundary to the referral's length limit; its due date is the
 * measure's.
 */
#include "plan_referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views.h"

#define PLAN_REFERRAL_MAX_MEASURE 200 /* characters, as referral_create allows */

/* "KIND: DESCRIPTION" (or KIND), at most PLAN_REFERRAL_MAX_MEASURE characters. */
static void plan_referral_text(const Spona__V1__PlanMeasure *measure, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s%s%s", measure->kind, measure->description[0] ? ": " : "",
             measure->description);
    size_t characters = 0, at = 0;
    for (; out[at] != '\0'; at++) {
        if (((unsigned char)out[at] & 0xC0) != 0x80 && characters++ == PLAN_REFERRAL_MAX_MEASURE)
            break;
    }
    out[at] = '\0';
}

/* The open referral of the case to code not linked to a measure, locked; id "" if none. */
static spona_status plan_referral_open(struct request_context *ctx, const char *case_id,
                                       const char *code, char id[UUID_TEXT])
{
    const char *params[] = {case_id, code, ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "plan_referral_open", 3, params, &status);
    if (result == NULL)
        return status;
    id[0] = '\0';
    if (PQntuples(result) == 1)
        db_copy(result, 0, 0, id, UUID_TEXT);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* Links referral id to the measure, or creates one for it; its id into id. */
static spona_status plan_referral_one(struct request_context *ctx, const char *case_id,
                                      const Spona__V1__PlanMeasure *measure, char id[UUID_TEXT],
                                      int *created)
{
    char number[16];
    snprintf(number, sizeof(number), "%u", measure->number);
    spona_status status =
        plan_referral_open(ctx, case_id, measure->responsible_institution_code, id);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    PGresult *result;
    *created = id[0] == '\0';
    if (!*created) {
        const char *params[] = {id, number};
        result = request_query(ctx, "plan_referral_link", 2, params, &status);
    } else {
        char text[PLAN_REFERRAL_MAX_MEASURE * 4 + 1];
        plan_referral_text(measure, text, sizeof(text));
        const char *params[] = {ctx->job->installation.municipality_id, case_id,
                                measure->responsible_institution_code, text, measure->due_date,
                                ctx->job->session.user_id, number};
        result = request_query(ctx, "plan_referral_insert", 7, params, &status);
        if (result != NULL && PQntuples(result) == 1)
            db_copy(result, 0, 0, id, UUID_TEXT);
    }
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status plan_referrals_link(struct request_context *ctx, Spona__V1__PlanView *plan,
                                 size_t first_new, size_t *created, size_t *linked)
{
    *created = *linked = 0;
    for (size_t i = first_new; i < plan->n_measures; i++) {
        Spona__V1__PlanMeasure *measure = plan->measures[i];
        if (measure->responsible_institution_code[0] == '\0' ||
            strcmp(measure->responsible_institution_code, ctx->subject.institution_code) == 0)
            continue; /* the lead's own measure: no referral */
        char id[UUID_TEXT];
        int made = 0;
        spona_status status = plan_referral_one(ctx, plan->case_id, measure, id, &made);
        if (status != SPONA__V1__STATUS__OK)
            return status;
        char *copy = views_strdup(id);
        if (copy == NULL)
            return SPONA__V1__STATUS__INTERNAL;
        free(measure->referral_id);
        measure->referral_id = copy;
        *created += made != 0;
        *linked += made == 0;
    }
    return SPONA__V1__STATUS__OK;
}
