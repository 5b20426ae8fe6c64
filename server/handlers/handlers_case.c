/*
 * Cases and their teams: a lead agency opens a case for a person and leads
 * it; the lead refers the person to partner institutions, which join the team
 * by accepting; a lead-agency user may break the glass and join a case's team
 * for a limited time. Who is on the team is what row-level security and the
 * policy subject (access.c) read, so every change here is audited in the same
 * transaction. case_get answers with the person as person_get does.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "audit.h"
#include "case_view.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"
#include "transaction.h"

#define CASE_MAX_REASON 500
#define REFERRAL_MAX_MEASURE 200
#define EMERGENCY_MIN_REASON 20
#define EMERGENCY_MAX_REASON 1000
#define EMERGENCY_DEFAULT_MINUTES 60
#define EMERGENCY_MAX_MINUTES 480

#define CASE_TIMESTAMP(column)                                                             \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

const struct db_statement case_statements[] = {
    {"case_insert",
     "INSERT INTO cases (municipality_id, person_id, lead_institution_id, lead_user_id, reason,"
     "                   opened_at)"
     " VALUES ($1, $2::uuid, $3, $4, $5, COALESCE(NULLIF($6, '')::date::timestamptz, now()))"
     " RETURNING id"},
    {"case_open_existing",
     "SELECT id FROM cases WHERE person_id = $1::uuid AND closed_at IS NULL"
     " ORDER BY opened_at LIMIT 1"},
    {"case_team_lead",
     "INSERT INTO case_team (case_id, municipality_id, institution_id, via)"
     " VALUES ($1::uuid, $2, $3, 'lead')"},
    {"case_view",
     "SELECT c.id, c.person_id, c.stage, i.code, " CASE_TIMESTAMP("c.opened_at") ", c.version"
     "  FROM cases c JOIN institutions i ON i.id = c.lead_institution_id WHERE c.id = $1::uuid"},
    /* the current team, with each member's role in the protocol version $2 */
    {"case_team_list",
     "SELECT i.code,"
     "       COALESCE((SELECT s.role FROM protocol_signatories s"
     "                   JOIN protocols pr ON pr.id = s.protocol_id"
     "                  WHERE s.institution_id = t.institution_id"
     "                    AND pr.municipality_id = t.municipality_id"
     "                    AND pr.version = $2::int), ''),"
     "       t.via, " CASE_TIMESTAMP("t.joined_at")
     "  FROM case_team t JOIN institutions i ON i.id = t.institution_id"
     " WHERE t.case_id = $1::uuid AND t.left_at IS NULL"
     "   AND (t.expires_at IS NULL OR t.expires_at > now())"
     " ORDER BY t.joined_at, i.code"},
    {"referral_insert",
     "INSERT INTO referrals (municipality_id, case_id, institution_id, measure, due_date,"
     "                       created_by)"
     " VALUES ($1, $2::uuid, $3, $4, NULLIF($5, '')::date, $6) RETURNING id"},
    /* under row-level security: the addressee and the case team see a referral */
    {"referral_lookup",
     "SELECT r.case_id, r.institution_id, r.status, i.code"
     "  FROM referrals r JOIN institutions i ON i.id = r.institution_id WHERE r.id = $1::uuid"},
    {"referral_accept",
     "UPDATE referrals SET status = 'accepted', accepted_at = now(), responded_at = now(),"
     "                     accepted_by = spona_current_user(),"
     "                     answered_by = spona_current_user(), version = version + 1"
     " WHERE id = $1::uuid AND status = 'sent' RETURNING case_id"},
    /* joins the team, or comes back to it (an earlier membership ended or was break-glass) */
    {"referral_join",
     "INSERT INTO case_team (case_id, municipality_id, institution_id, via)"
     " VALUES ($1::uuid, $2, $3, 'referral')"
     " ON CONFLICT (case_id, institution_id) DO UPDATE SET"
     "   via = 'referral', left_at = NULL, expires_at = NULL, emergency_user = NULL,"
     "   emergency_reason = NULL,"
     "   joined_at = CASE WHEN case_team.via = 'referral' AND case_team.left_at IS NULL"
     "                    THEN case_team.joined_at ELSE now() END"
     " WHERE case_team.via <> 'lead'"},
    /* break-glass: the caller is by definition possibly not on the team, so RLS hides the case */
    {"emergency_case",
     "SELECT spona_case_exists($1::uuid), spona_case_excluded($1::uuid, $2)"},
    /* joins for a limited time; never turns a lead or referral membership into one */
    {"emergency_join",
     "INSERT INTO case_team (case_id, municipality_id, institution_id, via, expires_at,"
     "                       emergency_user, emergency_reason)"
     " VALUES ($1::uuid, $2, $3, 'emergency', now() + make_interval(mins => $4::int), $5, $6)"
     " ON CONFLICT (case_id, institution_id) DO UPDATE SET"
     "   via = 'emergency', joined_at = now(), left_at = NULL,"
     "   expires_at = EXCLUDED.expires_at, emergency_user = EXCLUDED.emergency_user,"
     "   emergency_reason = EXCLUDED.emergency_reason"
     " WHERE case_team.via = 'emergency' OR case_team.left_at IS NOT NULL"
     " RETURNING " CASE_TIMESTAMP("expires_at")},
    /* the history the coordinator reviews */
    {"emergency_record",
     "INSERT INTO emergency_accesses (municipality_id, case_id, institution_id, user_id, reason,"
     "                                expires_at)"
     " SELECT municipality_id, case_id, institution_id, emergency_user, emergency_reason,"
     "        expires_at FROM case_team WHERE case_id = $1::uuid AND institution_id = $2"},
    {NULL, NULL},
};

static spona_status case_bad_id(struct request_context *ctx, const char *what, const char *id)
{
    snprintf(ctx->message, sizeof(ctx->message), "%s '%.40s' is not a UUID", what, id);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

spona_status handle_case_open(struct request_context *ctx, const spona_request *request,
                              spona_response *response)
{
    const Spona__V1__CaseOpenRequest *open = request->case_open;
    if (!request_is_uuid(open->person_id))
        return case_bad_id(ctx, "person_id", open->person_id);
    if (handlers_text_length(open->reason) > CASE_MAX_REASON) {
        snprintf(ctx->message, sizeof(ctx->message), "reason: at most %d characters",
                 CASE_MAX_REASON);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (open->opened_on[0] != '\0') {
        char today[16];
        time_t now = time(NULL);
        struct tm utc;
        gmtime_r(&now, &utc);
        strftime(today, sizeof(today), "%Y-%m-%d", &utc);
        if (handlers_check_date("opened_on", open->opened_on, ctx->message,
                                sizeof(ctx->message)) != 0)
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        if (strcmp(open->opened_on, today) > 0) {
            snprintf(ctx->message, sizeof(ctx->message), "opened_on %s is in the future",
                     open->opened_on);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
    }
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record record = {.action = "case_open", .person_id = open->person_id};
    char case_id[UUID_TEXT] = "";
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;
    struct access_case access;
    status = access_intake_subject(ctx, policy, &access);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    status = handlers_require_lead_agency(ctx, policy, &access, "open a case");
    if (status != SPONA__V1__STATUS__OK)
        return handlers_refuse(ctx, &record, "denied", status);
    struct access_case person;
    status = access_person_subject(ctx, open->person_id, NULL, &person);
    if (status == SPONA__V1__STATUS__NOT_FOUND)
        return handlers_refuse(ctx, &record, "not_found", status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;

    const char *existing_params[] = {open->person_id};
    PGresult *existing = request_query(ctx, "case_open_existing", 1, existing_params, &status);
    if (existing == NULL)
        goto failed;
    if (PQntuples(existing) == 1) {
        snprintf(ctx->message, sizeof(ctx->message), "person %s already has an open case: %s",
                 open->person_id, PQgetvalue(existing, 0, 0));
        PQclear(existing);
        return handlers_refuse(ctx, &record, "conflict", SPONA__V1__STATUS__CONFLICT);
    }
    PQclear(existing);

    const struct job *job = ctx->job;
    const char *insert[] = {job->installation.municipality_id, open->person_id,
                            job->installation.institution_id, job->session.user_id,
                            open->reason, open->opened_on};
    PGresult *result = request_query(ctx, "case_insert", 6, insert, &status);
    if (result == NULL)
        goto failed;
    db_copy(result, 0, 0, case_id, sizeof(case_id));
    PQclear(result);
    const char *team[] = {case_id, job->installation.municipality_id,
                          job->installation.institution_id};
    result = request_query(ctx, "case_team_lead", 3, team, &status);
    if (result == NULL)
        goto failed;
    PQclear(result);

    record.case_id = case_id;
    status = audit_commit(ctx, &record);
    if (status != SPONA__V1__STATUS__OK)
        return status;

    Spona__V1__CaseOpenResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__case_open_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_OPEN;
    response->case_open = answer;
    answer->case_id = views_strdup(case_id);
    return answer->case_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;

failed:
    request_rollback(ctx);
    return status;
}

/* Adds the case's current team to view. */
static spona_status case_team_load(struct request_context *ctx, const struct policy *policy,
                                   const char *case_id, Spona__V1__CaseView *view)
{
    char version[16];
    snprintf(version, sizeof(version), "%d", policy != NULL ? policy->version : 0);
    const char *params[] = {case_id, version};
    spona_status status;
    PGresult *result = request_query(ctx, "case_team_list", 2, params, &status);
    if (result == NULL)
        return status;
    for (int row = 0; row < PQntuples(result); row++) {
        Spona__V1__TeamMember *member = malloc(sizeof(*member));
        if (member == NULL)
            goto failed;
        spona__v1__team_member__init(member);
        member->institution_code = views_strdup(PQgetvalue(result, row, 0));
        member->role = views_strdup(PQgetvalue(result, row, 1));
        member->via = views_strdup(PQgetvalue(result, row, 2));
        member->since = views_strdup(PQgetvalue(result, row, 3));
        if (member->institution_code == NULL || member->role == NULL || member->via == NULL ||
            member->since == NULL ||
            views_append((void ***)&view->team, &view->n_team, member) != 0) {
            spona__v1__team_member__free_unpacked(member, NULL);
            goto failed;
        }
    }
    PQclear(result);
    return SPONA__V1__STATUS__OK;

failed:
    PQclear(result);
    return SPONA__V1__STATUS__INTERNAL;
}

/* The case as access may see it: stage, lead, team and the person as person_get. */
spona_status case_view_load(struct request_context *ctx, const struct policy *policy,
                            const struct access_case *access, Spona__V1__CaseView **out,
                            struct audit_record *record)
{
    *out = NULL;
    const char *params[] = {access->case_id};
    spona_status status;
    PGresult *result = request_query(ctx, "case_view", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no case %s that you may see",
                 access->case_id);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    Spona__V1__CaseView *view = malloc(sizeof(*view));
    if (view == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__case_view__init(view);
    view->case_id = views_strdup(PQgetvalue(result, 0, 0));
    view->person_id = views_strdup(PQgetvalue(result, 0, 1));
    view->stage = views_strdup(PQgetvalue(result, 0, 2));
    view->lead_institution_code = views_strdup(PQgetvalue(result, 0, 3));
    view->opened_at = views_strdup(PQgetvalue(result, 0, 4));
    view->version = strtoull(PQgetvalue(result, 0, 5), NULL, 10);
    PQclear(result);
    if (view->case_id == NULL || view->person_id == NULL || view->stage == NULL ||
        view->lead_institution_code == NULL || view->opened_at == NULL)
        status = SPONA__V1__STATUS__INTERNAL;
    else
        status = case_team_load(ctx, policy, access->case_id, view);
    if (status == SPONA__V1__STATUS__OK)
        status = person_view_load(ctx, policy, access, &view->person, record);
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__case_view__free_unpacked(view, NULL);
        return status;
    }
    *out = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_case_get(struct request_context *ctx, const spona_request *request,
                             spona_response *response)
{
    const char *case_id = request->case_get->case_id;
    if (!request_is_uuid(case_id))
        return case_bad_id(ctx, "case_id", case_id);
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record record = {.action = "case_get", .case_id = case_id};
    Spona__V1__CaseView *view = NULL;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;
    struct access_case access;
    status = access_case_subject(ctx, case_id, NULL, &access);
    if (status == SPONA__V1__STATUS__NOT_FOUND)
        return handlers_refuse(ctx, &record, "not_found", status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    record.person_id = access.person_id;

    status = case_view_load(ctx, policy, &access, &view, &record);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    status = audit_commit_view(ctx, &record, &view->base);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_GET;
    response->case_get = view;
    return SPONA__V1__STATUS__OK;

failed:
    if (view != NULL)
        spona__v1__case_view__free_unpacked(view, NULL);
    request_rollback(ctx);
    return status;
}

/* Checks the referral's target: a registered, enabled signatory other than the lead. */
static spona_status referral_target(struct request_context *ctx, const struct policy *policy,
                                    const struct access_case *access, const char *code,
                                    struct handlers_institution *target)
{
    spona_status status = handlers_find_institution(ctx, policy, code, target);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (!target->enabled)
        snprintf(ctx->message, sizeof(ctx->message), "institution '%s' is disabled", code);
    else if (policy == NULL || !target->is_signatory)
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution '%s' is not a signatory of the protocol in force", code);
    else if (target->role == POLICY_ROLE_COORDINATOR)
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution '%s' is the protocol's coordinator, which never takes part in "
                 "a case", code);
    else if (strcmp(target->id, access->lead_institution_id) == 0)
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution '%s' leads this case: refer to a partner", code);
    else
        return SPONA__V1__STATUS__OK;
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

spona_status handle_referral_create(struct request_context *ctx, const spona_request *request,
                                    spona_response *response)
{
    const Spona__V1__ReferralCreateRequest *create = request->referral_create;
    if (!request_is_uuid(create->case_id))
        return case_bad_id(ctx, "case_id", create->case_id);
    size_t measure_length = handlers_text_length(create->measure);
    if (measure_length == 0 || measure_length > REFERRAL_MAX_MEASURE) {
        snprintf(ctx->message, sizeof(ctx->message), "measure: required, at most %d characters",
                 REFERRAL_MAX_MEASURE);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (create->due_date[0] != '\0' &&
        handlers_check_date("due_date", create->due_date, ctx->message, sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    if (create->institution_code[0] == '\0') {
        snprintf(ctx->message, sizeof(ctx->message), "institution_code: required");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record record = {.action = "referral_create", .case_id = create->case_id};
    char referral_id[UUID_TEXT] = "", detail[200];
    snprintf(detail, sizeof(detail), "to %.150s", create->institution_code);
    record.detail = detail;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;
    struct access_case access;
    status = access_case_subject(ctx, create->case_id, NULL, &access);
    if (status == SPONA__V1__STATUS__NOT_FOUND)
        return handlers_refuse(ctx, &record, "not_found", status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    record.person_id = access.person_id;
    if (!access.subject.is_lead_institution || access.subject.excluded) {
        snprintf(ctx->message, sizeof(ctx->message), "%s",
                 access.subject.excluded ? "excluded from this case by the lead agency"
                                         : "only the case's lead institution may refer it");
        return handlers_refuse(ctx, &record, "denied", SPONA__V1__STATUS__PERMISSION_DENIED);
    }
    struct handlers_institution target;
    status = referral_target(ctx, policy, &access, create->institution_code, &target);
    if (status == SPONA__V1__STATUS__INVALID_ARGUMENT)
        return handlers_refuse(ctx, &record, "invalid", status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;

    const char *params[] = {ctx->job->installation.municipality_id, create->case_id, target.id,
                            create->measure, create->due_date, ctx->job->session.user_id};
    PGresult *result = request_query(ctx, "referral_insert", 6, params, &status);
    if (result == NULL)
        goto failed;
    db_copy(result, 0, 0, referral_id, sizeof(referral_id));
    PQclear(result);

    status = audit_commit(ctx, &record);
    if (status != SPONA__V1__STATUS__OK)
        return status;

    Spona__V1__ReferralCreateResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__referral_create_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_REFERRAL_CREATE;
    response->referral_create = answer;
    answer->referral_id = views_strdup(referral_id);
    return answer->referral_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;

failed:
    request_rollback(ctx);
    return status;
}

spona_status handle_referral_accept(struct request_context *ctx, const spona_request *request,
                                    spona_response *response)
{
    const char *referral_id = request->referral_accept->referral_id;
    if (!request_is_uuid(referral_id))
        return case_bad_id(ctx, "referral_id", referral_id);
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record record = {.action = "referral_accept"};
    char case_id[UUID_TEXT] = "", detail[64];
    snprintf(detail, sizeof(detail), "referral %s", referral_id);
    record.detail = detail;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;

    const char *lookup[] = {referral_id};
    PGresult *result = request_query(ctx, "referral_lookup", 1, lookup, &status);
    if (result == NULL)
        goto failed;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no referral %s that you may see",
                 referral_id);
        return handlers_refuse(ctx, &record, "not_found", SPONA__V1__STATUS__NOT_FOUND);
    }
    db_copy(result, 0, 0, case_id, sizeof(case_id));
    record.case_id = case_id;
    int addressed = strcmp(PQgetvalue(result, 0, 1), ctx->job->installation.institution_id) == 0;
    int sent = strcmp(PQgetvalue(result, 0, 2), "sent") == 0;
    if (!addressed)
        snprintf(ctx->message, sizeof(ctx->message),
                 "referral %s is addressed to institution %s, not to yours", referral_id,
                 PQgetvalue(result, 0, 3));
    else if (!sent)
        snprintf(ctx->message, sizeof(ctx->message), "referral %s is already %s", referral_id,
                 PQgetvalue(result, 0, 2));
    PQclear(result);
    if (!addressed)
        return handlers_refuse(ctx, &record, "denied", SPONA__V1__STATUS__PERMISSION_DENIED);
    if (!sent)
        return handlers_refuse(ctx, &record, "conflict", SPONA__V1__STATUS__CONFLICT);

    result = request_query(ctx, "referral_accept", 1, lookup, &status);
    if (result == NULL)
        goto failed;
    int accepted = PQntuples(result) == 1;
    PQclear(result);
    if (!accepted) { /* answered meanwhile by another request */
        snprintf(ctx->message, sizeof(ctx->message), "referral %s was answered meanwhile",
                 referral_id);
        return handlers_refuse(ctx, &record, "conflict", SPONA__V1__STATUS__CONFLICT);
    }
    const char *join[] = {case_id, ctx->job->installation.municipality_id,
                          ctx->job->installation.institution_id};
    result = request_query(ctx, "referral_join", 3, join, &status);
    if (result == NULL)
        goto failed;
    PQclear(result);
    struct access_case access;
    status = access_case_subject(ctx, case_id, NULL, &access);
    if (status == SPONA__V1__STATUS__OK)
        record.person_id = access.person_id;
    else if (status != SPONA__V1__STATUS__NOT_FOUND) /* excluded: joined, yet sees nothing */
        goto failed;

    status = audit_commit(ctx, &record);
    if (status != SPONA__V1__STATUS__OK)
        return status;

    Spona__V1__ReferralAcceptResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__referral_accept_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_REFERRAL_ACCEPT;
    response->referral_accept = answer;
    answer->case_id = views_strdup(case_id);
    return answer->case_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;

failed:
    request_rollback(ctx);
    return status;
}

/* Characters of text without its leading and trailing white space. */
static size_t case_trimmed_length(const char *text)
{
    const char *start = text, *end = text + strlen(text);
    while (start < end && isspace((unsigned char)*start))
        start++;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    size_t count = 0;
    for (const char *c = start; c < end; c++)
        if (((unsigned char)*c & 0xC0) != 0x80)
            count++;
    return count;
}

spona_status handle_emergency_access(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__EmergencyAccessRequest *emergency = request->emergency_access;
    if (!request_is_uuid(emergency->case_id))
        return case_bad_id(ctx, "case_id", emergency->case_id);
    size_t reason_length = case_trimmed_length(emergency->reason);
    if (reason_length < EMERGENCY_MIN_REASON || reason_length > EMERGENCY_MAX_REASON) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "reason: break-glass access needs a written reason of %d to %d characters",
                 EMERGENCY_MIN_REASON, EMERGENCY_MAX_REASON);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    unsigned minutes = emergency->duration_minutes != 0 ? emergency->duration_minutes
                                                        : EMERGENCY_DEFAULT_MINUTES;
    if (minutes > EMERGENCY_MAX_MINUTES) {
        snprintf(ctx->message, sizeof(ctx->message), "duration_minutes: at most %d",
                 EMERGENCY_MAX_MINUTES);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record record = {.action = "emergency_access", .case_id = emergency->case_id};
    char expires_at[40] = "", detail[64], minutes_text[16];
    snprintf(minutes_text, sizeof(minutes_text), "%u", minutes);
    snprintf(detail, sizeof(detail), "break-glass for %u minutes", minutes);
    record.detail = detail;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;
    struct access_case caller;
    status = access_intake_subject(ctx, policy, &caller);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    status = handlers_require_lead_agency(ctx, policy, &caller, "use break-glass access");
    if (status != SPONA__V1__STATUS__OK)
        return handlers_refuse(ctx, &record, "denied", status);

    const struct job *job = ctx->job;
    const char *check[] = {emergency->case_id, job->installation.institution_id};
    PGresult *result = request_query(ctx, "emergency_case", 2, check, &status);
    if (result == NULL)
        goto failed;
    int exists = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    int excluded = strcmp(PQgetvalue(result, 0, 1), "t") == 0;
    PQclear(result);
    if (!exists) {
        snprintf(ctx->message, sizeof(ctx->message), "no case %s in this municipality",
                 emergency->case_id);
        return handlers_refuse(ctx, &record, "not_found", SPONA__V1__STATUS__NOT_FOUND);
    }
    if (excluded) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "excluded from this case by the lead agency: break-glass cannot override it");
        return handlers_refuse(ctx, &record, "denied", SPONA__V1__STATUS__PERMISSION_DENIED);
    }

    const char *join[] = {emergency->case_id, job->installation.municipality_id,
                          job->installation.institution_id, minutes_text, job->session.user_id,
                          emergency->reason};
    result = request_query(ctx, "emergency_join", 6, join, &status);
    if (result == NULL)
        goto failed;
    int joined = PQntuples(result) == 1;
    if (joined)
        db_copy(result, 0, 0, expires_at, sizeof(expires_at));
    PQclear(result);
    if (!joined) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution %s is already on the team of case %s: break-glass is not needed",
                 caller.institution_code, emergency->case_id);
        return handlers_refuse(ctx, &record, "invalid", SPONA__V1__STATUS__FAILED_PRECONDITION);
    }
    const char *history[] = {emergency->case_id, job->installation.institution_id};
    result = request_query(ctx, "emergency_record", 2, history, &status);
    if (result == NULL)
        goto failed;
    PQclear(result);
    struct access_case access;
    status = access_case_subject(ctx, emergency->case_id, NULL, &access);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    record.person_id = access.person_id;
    record.emergency = 1;

    status = audit_commit(ctx, &record);
    if (status != SPONA__V1__STATUS__OK)
        return status;

    Spona__V1__EmergencyAccessResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__emergency_access_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_EMERGENCY_ACCESS;
    response->emergency_access = answer;
    answer->expires_at = views_strdup(expires_at);
    return answer->expires_at != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;

failed:
    request_rollback(ctx);
    return status;
}
