/*
 * The written records of a case (docs/cases.md): case conferences (the lead
 * records them; case_notes), notes (any team member allowed to write
 * case_notes; append-only, author and institution kept), outcomes (the lead or
 * a partner allowed to write outcomes) and their follow-ups at 3, 6 and 12
 * months (one each per outcome). The request table declares each write's data
 * category, which the pipeline decides and audits; a handler checks its own
 * rules, writes, and answers with the record as stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records.h"
#include "case_records_util.h"
#include "follow_up_window.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"

#define RECORDS_MAX_PARTICIPANTS 50
#define RECORDS_MAX_NAME 128
#define RECORDS_MAX_SHORT_TEXT 500

const struct db_statement records_statements[] = {
    /* the first institution code ($1) and username ($2) unknown in municipality $3;
       both lists are newline-separated */
    {"records_unknown_participants",
     "SELECT (SELECT c FROM unnest(string_to_array($1, E'\\n')) c"
     "         WHERE NOT EXISTS (SELECT 1 FROM institutions i"
     "                            WHERE i.code = c AND i.municipality_id = $3) LIMIT 1),"
     "       (SELECT u FROM unnest(string_to_array($2, E'\\n')) u"
     "         WHERE NOT EXISTS (SELECT 1 FROM users x JOIN institutions i"
     "                             ON i.id = x.institution_id"
     "                            WHERE x.username = u AND i.municipality_id = $3) LIMIT 1)"},
    {"records_conference_insert",
     "INSERT INTO case_conferences (case_id, municipality_id, held_on, institution_codes,"
     "                              usernames, decisions, next_steps, created_by)"
     " VALUES ($1::uuid, $2, $3::date, string_to_array($4, E'\\n'),"
     "         string_to_array($5, E'\\n'), $6, $7, $8)"
     " RETURNING id, version"},
    {"records_note_insert",
     "INSERT INTO case_notes (case_id, municipality_id, author, institution_id, text)"
     " VALUES ($1::uuid, $2, $3, $4, $5) RETURNING id"},
    {"records_note_view",
     "SELECT n.id, n.case_id, u.username, i.code, n.text, " CASE_RECORDS_TIMESTAMP("n.created_at")
     "  FROM case_notes_for_caller n JOIN users u ON u.id = n.author"
     "  JOIN institutions i ON i.id = n.institution_id WHERE n.id = $1::uuid"},
    {"records_outcome_insert",
     "INSERT INTO outcomes (case_id, municipality_id, kind, occurred_on, employer,"
     "                      contract_type, pathway, certificate, note, recorded_by,"
     "                      institution_id)"
     " VALUES ($1::uuid, $2, $3, $4::date, $5, $6, $7, $8, $9, $10, $11) RETURNING id"},
    {"records_outcome_view",
     "SELECT o.id, o.case_id, o.kind, " CASE_RECORDS_DATE("o.occurred_on") ", o.employer,"
     "       o.contract_type, o.pathway, o.certificate, o.note, i.code, o.version"
     "  FROM outcomes_for_caller o JOIN institutions i ON i.id = o.institution_id"
     " WHERE o.id = $1::uuid"},
    /* $2: only these months (0: every follow-up) */
    {"records_follow_ups",
     "SELECT months, " CASE_RECORDS_DATE("checked_on") ", still_employed, note"
     "  FROM outcome_follow_ups_for_caller"
     " WHERE outcome_id = $1::uuid AND ($2::int = 0 OR months = $2::int)"
     " ORDER BY months"},
    /* locked: follow-ups of one outcome are recorded one at a time; its date through the
     * view ('' to a caller that may not read outcomes: the date check is then left out) */
    {"records_outcome_lookup",
     "SELECT o.case_id, o.institution_id,"
     "       (SELECT " CASE_RECORDS_DATE("v.occurred_on")
     "          FROM outcomes_for_caller v WHERE v.id = o.id),"
     "       COALESCE(to_char(spona_outcome_date_for_writer(o.id), 'YYYY-MM-DD'), ''),"
     "       to_char(current_date, 'YYYY-MM-DD')"
     "  FROM outcomes o WHERE o.id = $1::uuid FOR UPDATE OF o"},
    {"records_follow_up_insert",
     "INSERT INTO outcome_follow_ups (outcome_id, municipality_id, months, checked_on,"
     "                                still_employed, note, recorded_by)"
     " VALUES ($1::uuid, $2, $3::int, $4::date, $5::bool, $6, $7)"
     " ON CONFLICT (outcome_id, months) DO NOTHING RETURNING months"},
    {"records_outcome_touch", "UPDATE outcomes SET version = version + 1 WHERE id = $1::uuid"},
    {NULL, NULL},
};

/* Outcome kinds, contract types and pathways (proto/spona.proto, OutcomeRecordRequest). */
static const char *const records_outcome_kinds[] = {
    "employed", "in_training", "training_completed", "self_employed", "left_benefits",
    "dropped_out", NULL};
static const char *const records_contract_types[] = {
    "permanent", "fixed_term", "seasonal", "subsidised", "other", NULL};
static const char *const records_pathways[] = {
    "integrated_case_management", "social_entrepreneurship", "other", NULL};

static int records_in_list(const char *const *list, const char *value)
{
    for (; *list != NULL; list++)
        if (strcmp(*list, value) == 0)
            return 1;
    return 0;
}

/* "a, b or c" of a NULL-terminated list, into out. */
static void records_list_text(const char *const *list, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; list[i] != NULL && used < out_size; i++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%s",
                                 i == 0 ? "" : list[i + 1] == NULL ? " or " : ", ", list[i]);
}

/* INVALID_ARGUMENT "NAME: not one of ..." unless value is in list (or empty, optional). */
static spona_status records_check_choice(struct request_context *ctx, const char *name,
                                         const char *value, const char *const *list,
                                         int required)
{
    if ((!required && value[0] == '\0') || records_in_list(list, value))
        return SPONA__V1__STATUS__OK;
    char choices[256];
    records_list_text(list, choices, sizeof(choices));
    snprintf(ctx->message, sizeof(ctx->message), "%s: not one of %s", name, choices);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/*
 * Checks a list of names (institution codes, usernames) and joins them with
 * newlines into *out (caller frees). INVALID_ARGUMENT naming a bad one.
 */
static spona_status records_join_names(struct request_context *ctx, const char *what,
                                       char *const *names, size_t count, char **out)
{
    *out = NULL;
    if (count > RECORDS_MAX_PARTICIPANTS) {
        snprintf(ctx->message, sizeof(ctx->message), "%s: at most %d", what,
                 RECORDS_MAX_PARTICIPANTS);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    size_t length = 1;
    for (size_t i = 0; i < count; i++) {
        size_t size = strlen(names[i]);
        if (size == 0 || size > RECORDS_MAX_NAME || strpbrk(names[i], "\n\r\t") != NULL) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "%s[%zu]: not a name (1 to %d characters, one line)", what, i,
                     RECORDS_MAX_NAME);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        length += size + 1;
    }
    char *joined = malloc(length);
    if (joined == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    size_t used = 0;
    joined[0] = '\0';
    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(joined + used, length - used, "%s%s", i == 0 ? "" : "\n",
                                 names[i]);
    *out = joined;
    return SPONA__V1__STATUS__OK;
}

/* A copy of count strings as a repeated field; -1 when out of memory. */
static int records_copy_names(char *const *names, size_t count, char ***out, size_t *out_count)
{
    for (size_t i = 0; i < count; i++) {
        char *copy = views_strdup(names[i]);
        if (copy == NULL || views_append((void ***)out, out_count, copy) != 0) {
            free(copy);
            return -1;
        }
    }
    return 0;
}

/* The caller's municipality names these institutions and users (else INVALID_ARGUMENT). */
static spona_status records_check_participants(struct request_context *ctx, const char *codes,
                                               const char *usernames)
{
    const char *params[] = {codes, usernames, ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "records_unknown_participants", 3, params, &status);
    if (result == NULL)
        return status;
    if (!PQgetisnull(result, 0, 0))
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution_codes: one is not an institution of this municipality");
    else if (!PQgetisnull(result, 0, 1))
        snprintf(ctx->message, sizeof(ctx->message),
                 "usernames: one is not a user of this municipality");
    else
        status = SPONA__V1__STATUS__OK;
    int unknown = !PQgetisnull(result, 0, 0) || !PQgetisnull(result, 0, 1);
    PQclear(result);
    return unknown ? SPONA__V1__STATUS__INVALID_ARGUMENT : status;
}

/* The request's conference as stored; NULL when out of memory. */
static Spona__V1__ConferenceView *
records_conference_view(const Spona__V1__ConferenceRecordRequest *conference, const char *id,
                        uint64_t version)
{
    Spona__V1__ConferenceView *view = malloc(sizeof(*view));
    if (view == NULL)
        return NULL;
    spona__v1__conference_view__init(view);
    view->conference_id = views_strdup(id);
    view->case_id = views_strdup(conference->case_id);
    view->held_on = views_strdup(conference->held_on);
    view->decisions = views_strdup(conference->decisions);
    view->next_steps = views_strdup(conference->next_steps);
    view->version = version;
    if (view->conference_id == NULL || view->case_id == NULL || view->held_on == NULL ||
        view->decisions == NULL || view->next_steps == NULL ||
        records_copy_names(conference->institution_codes, conference->n_institution_codes,
                           &view->institution_codes, &view->n_institution_codes) != 0 ||
        records_copy_names(conference->usernames, conference->n_usernames, &view->usernames,
                           &view->n_usernames) != 0) {
        spona__v1__conference_view__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

/* The conference's own fields, checked, and its participants joined (*codes, *usernames:
 * caller frees, also on a refusal). */
static spona_status records_conference_input(struct request_context *ctx,
                                             const Spona__V1__ConferenceRecordRequest *conference,
                                             char **codes, char **usernames)
{
    *codes = NULL;
    *usernames = NULL;
    if (handlers_check_date("held_on", conference->held_on, ctx->message,
                            sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    spona_status status = case_records_check_text(ctx, "decisions", conference->decisions, 0,
                                                  CASE_RECORDS_MAX_TEXT);
    if (status == SPONA__V1__STATUS__OK)
        status = case_records_check_text(ctx, "next_steps", conference->next_steps, 0,
                                         CASE_RECORDS_MAX_TEXT);
    if (status == SPONA__V1__STATUS__OK)
        status = records_join_names(ctx, "institution_codes", conference->institution_codes,
                                    conference->n_institution_codes, codes);
    if (status == SPONA__V1__STATUS__OK)
        status = records_join_names(ctx, "usernames", conference->usernames,
                                    conference->n_usernames, usernames);
    if (status == SPONA__V1__STATUS__OK)
        status = records_check_participants(ctx, *codes, *usernames);
    return status;
}

/* Stores the conference; *out is the answer (caller frees). */
static spona_status records_conference_insert(struct request_context *ctx,
                                              const Spona__V1__ConferenceRecordRequest *conference,
                                              const char *codes, const char *usernames,
                                              Spona__V1__ConferenceView **out)
{
    const char *params[] = {conference->case_id, ctx->job->installation.municipality_id,
                            conference->held_on, codes, usernames, conference->decisions,
                            conference->next_steps, ctx->job->session.user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "records_conference_insert", 8, params, &status);
    if (result == NULL)
        return status;
    *out = records_conference_view(conference, PQgetvalue(result, 0, 0),
                                   strtoull(PQgetvalue(result, 0, 1), NULL, 10));
    PQclear(result);
    return *out != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

spona_status handle_conference_record(struct request_context *ctx, const spona_request *request,
                                      spona_response *response)
{
    const Spona__V1__ConferenceRecordRequest *conference = request->conference_record;
    spona_status status =
        case_records_require_lead(ctx, &ctx->subject, "record a case conference");
    if (status != SPONA__V1__STATUS__OK) {
        ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_CASE_NOTES);
        return case_records_refuse(ctx, status);
    }
    char *codes, *usernames;
    status = records_conference_input(ctx, conference, &codes, &usernames);
    Spona__V1__ConferenceView *view = NULL;
    if (status == SPONA__V1__STATUS__OK)
        status = records_conference_insert(ctx, conference, codes, usernames, &view);
    free(codes);
    free(usernames);
    if (status != SPONA__V1__STATUS__OK)
        return case_records_refuse(ctx, status);
    case_records_row_disclosed(ctx);
    response->body_case = SPONA__V1__RESPONSE__BODY_CONFERENCE_RECORD;
    response->conference_record = view;
    return SPONA__V1__STATUS__OK;
}

/* The note as stored, with its author's username and institution. */
static spona_status records_note_view(struct request_context *ctx, const char *note_id,
                                      Spona__V1__NoteView **out)
{
    *out = NULL;
    const char *params[] = {note_id};
    spona_status status;
    PGresult *result = request_query(ctx, "records_note_view", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__NoteView *view = PQntuples(result) == 1 ? malloc(sizeof(*view)) : NULL;
    if (view == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__note_view__init(view);
    char **texts[] = {&view->note_id, &view->case_id, &view->author,
                      &view->institution_code, &view->text, &view->created_at};
    int failed = case_records_row_texts(result, 0, texts,
                                        (int)(sizeof(texts) / sizeof(texts[0]))) != 0;
    PQclear(result);
    if (failed) {
        spona__v1__note_view__free_unpacked(view, NULL);
        return SPONA__V1__STATUS__INTERNAL;
    }
    *out = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_note_add(struct request_context *ctx, const spona_request *request,
                             spona_response *response)
{
    const Spona__V1__NoteAddRequest *note = request->note_add;
    spona_status status =
        case_records_check_text(ctx, "text", note->text, 1, CASE_RECORDS_MAX_TEXT);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const struct job *job = ctx->job;
    const char *params[] = {note->case_id, job->installation.municipality_id,
                            job->session.user_id, job->installation.institution_id, note->text};
    PGresult *result = request_query(ctx, "records_note_insert", 5, params, &status);
    if (result == NULL)
        return status;
    char note_id[UUID_TEXT];
    db_copy(result, 0, 0, note_id, sizeof(note_id));
    PQclear(result);
    Spona__V1__NoteView *view;
    status = records_note_view(ctx, note_id, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    case_records_row_disclosed(ctx);
    response->body_case = SPONA__V1__RESPONSE__BODY_NOTE_ADD;
    response->note_add = view;
    return SPONA__V1__STATUS__OK;
}

/* Adds the outcome's follow-ups (only_months 0: all of them) to view. */
static spona_status records_follow_ups_load(struct request_context *ctx, const char *outcome_id,
                                            unsigned only_months, Spona__V1__OutcomeView *view)
{
    char months[16];
    snprintf(months, sizeof(months), "%u", only_months);
    const char *params[] = {outcome_id, months};
    spona_status status;
    PGresult *result = request_query(ctx, "records_follow_ups", 2, params, &status);
    if (result == NULL)
        return status;
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++) {
        Spona__V1__FollowUp *follow_up = malloc(sizeof(*follow_up));
        if (follow_up == NULL) {
            status = SPONA__V1__STATUS__INTERNAL;
            break;
        }
        spona__v1__follow_up__init(follow_up);
        follow_up->months = (uint32_t)strtoul(PQgetvalue(result, row, 0), NULL, 10);
        follow_up->checked_on = views_strdup(PQgetvalue(result, row, 1));
        follow_up->still_employed = strcmp(PQgetvalue(result, row, 2), "t") == 0;
        follow_up->note = views_strdup(PQgetvalue(result, row, 3));
        if (follow_up->checked_on == NULL || follow_up->note == NULL ||
            views_append((void ***)&view->follow_ups, &view->n_follow_ups, follow_up) != 0) {
            spona__v1__follow_up__free_unpacked(follow_up, NULL);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    PQclear(result);
    return status;
}

/* The outcome as stored, with its follow-ups (only_months 0: all of them). */
static spona_status records_outcome_view(struct request_context *ctx, const char *outcome_id,
                                         unsigned only_months, Spona__V1__OutcomeView **out)
{
    *out = NULL;
    const char *params[] = {outcome_id};
    spona_status status;
    PGresult *result = request_query(ctx, "records_outcome_view", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__OutcomeView *view = PQntuples(result) == 1 ? malloc(sizeof(*view)) : NULL;
    if (view == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__outcome_view__init(view);
    char **texts[] = {&view->outcome_id,    &view->case_id,  &view->kind,
                      &view->occurred_on,   &view->employer, &view->contract_type,
                      &view->pathway,       &view->certificate, &view->note,
                      &view->recorded_by_institution};
    int failed = case_records_row_texts(result, 0, texts,
                                        (int)(sizeof(texts) / sizeof(texts[0]))) != 0;
    view->version = strtoull(PQgetvalue(result, 0, 10), NULL, 10);
    PQclear(result);
    status = failed ? SPONA__V1__STATUS__INTERNAL
                    : records_follow_ups_load(ctx, outcome_id, only_months, view);
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__outcome_view__free_unpacked(view, NULL);
        return status;
    }
    *out = view;
    return SPONA__V1__STATUS__OK;
}

/* Checks an outcome's fields against its kind (docs/cases.md, proto OutcomeRecordRequest). */
static spona_status records_check_outcome(struct request_context *ctx,
                                          const Spona__V1__OutcomeRecordRequest *outcome)
{
    spona_status status =
        records_check_choice(ctx, "kind", outcome->kind, records_outcome_kinds, 1);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (handlers_check_date("occurred_on", outcome->occurred_on, ctx->message,
                            sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    status = records_check_choice(ctx, "contract_type", outcome->contract_type,
                                  records_contract_types, 0);
    if (status == SPONA__V1__STATUS__OK)
        status = records_check_choice(ctx, "pathway", outcome->pathway, records_pathways, 0);
    if (status == SPONA__V1__STATUS__OK)
        status = case_records_check_text(ctx, "employer", outcome->employer, 0,
                                         RECORDS_MAX_SHORT_TEXT);
    if (status == SPONA__V1__STATUS__OK)
        status = case_records_check_text(ctx, "certificate", outcome->certificate, 0,
                                         RECORDS_MAX_SHORT_TEXT);
    if (status == SPONA__V1__STATUS__OK)
        status = case_records_check_text(ctx, "note", outcome->note, 0, CASE_RECORDS_MAX_TEXT);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    int working = strcmp(outcome->kind, "employed") == 0 ||
                  strcmp(outcome->kind, "self_employed") == 0;
    if (working && outcome->pathway[0] == '\0') {
        char choices[256];
        records_list_text(records_pathways, choices, sizeof(choices));
        snprintf(ctx->message, sizeof(ctx->message), "pathway: required for %s (%s)",
                 outcome->kind, choices);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (strcmp(outcome->kind, "training_completed") == 0 &&
        case_records_check_text(ctx, "certificate", outcome->certificate, 1,
                                RECORDS_MAX_SHORT_TEXT) != SPONA__V1__STATUS__OK) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "certificate: required for training_completed");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

spona_status handle_outcome_record(struct request_context *ctx, const spona_request *request,
                                   spona_response *response)
{
    const Spona__V1__OutcomeRecordRequest *outcome = request->outcome_record;
    spona_status status = records_check_outcome(ctx, outcome);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s", outcome->kind);
    ctx->record.detail = ctx->audit_detail;
    const struct job *job = ctx->job;
    const char *params[] = {outcome->case_id,       job->installation.municipality_id,
                            outcome->kind,          outcome->occurred_on,
                            outcome->employer,      outcome->contract_type,
                            outcome->pathway,       outcome->certificate,
                            outcome->note,          job->session.user_id,
                            job->installation.institution_id};
    PGresult *result = request_query(ctx, "records_outcome_insert", 11, params, &status);
    if (result == NULL)
        return status;
    char outcome_id[UUID_TEXT];
    db_copy(result, 0, 0, outcome_id, sizeof(outcome_id));
    PQclear(result);
    Spona__V1__OutcomeView *view;
    status = records_outcome_view(ctx, outcome_id, 0, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    status = case_records_stage_suggestion(ctx, outcome->case_id, outcome->kind,
                                           &view->stage_suggestion);
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__outcome_view__free_unpacked(view, NULL);
        return status;
    }
    case_records_row_disclosed(ctx);
    response->body_case = SPONA__V1__RESPONSE__BODY_OUTCOME_RECORD;
    response->outcome_record = view;
    return SPONA__V1__STATUS__OK;
}

/* The follow-up's own fields (before any database work). */
static spona_status records_check_follow_up(struct request_context *ctx,
                                            const Spona__V1__FollowUp *follow_up)
{
    if (follow_up == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "follow_up: required");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (follow_up->months != 3 && follow_up->months != 6 && follow_up->months != 12) {
        snprintf(ctx->message, sizeof(ctx->message), "months: %u is not 3, 6 or 12",
                 follow_up->months);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (handlers_check_date("checked_on", follow_up->checked_on, ctx->message,
                            sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    return case_records_check_text(ctx, "note", follow_up->note, 0, CASE_RECORDS_MAX_TEXT);
}

/*
 * The follow-up's date against its window (docs/cases.md, follow_up_window.h):
 * shown is the outcome's date as the caller may read it ('' when it may not: the
 * window is then not named), date the outcome's date for the check, today the
 * database's. INVALID_ARGUMENT naming the field and the rule.
 */
static spona_status records_follow_up_dated(struct request_context *ctx,
                                            const Spona__V1__FollowUp *follow_up,
                                            const char *shown, const char *date,
                                            const char *today)
{
    if (strcmp(follow_up->checked_on, today) > 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "checked_on: a follow-up is not dated in the future");
        error_code_set(&ctx->error, "follow_up_future");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    char first[11], last[11], months[12];
    if (follow_up_window(date, follow_up->months, first, last) != 0 ||
        (strcmp(follow_up->checked_on, first) >= 0 && strcmp(follow_up->checked_on, last) <= 0))
        return SPONA__V1__STATUS__OK;
    snprintf(months, sizeof(months), "%u", follow_up->months);
    error_code_set(&ctx->error, shown[0] == '\0' ? "follow_up_outside" : "follow_up_window");
    error_code_param(&ctx->error, "months", months);
    if (shown[0] != '\0') {
        error_code_param(&ctx->error, "first", first);
        error_code_param(&ctx->error, "last", last);
    }
    if (shown[0] == '\0')
        snprintf(ctx->message, sizeof(ctx->message),
                 "checked_on: outside the window of a %u-month follow-up (%u months after the "
                 "outcome's date, %d days early or %d months late at most; docs/cases.md)",
                 follow_up->months, follow_up->months, FOLLOW_UP_EARLY_DAYS,
                 FOLLOW_UP_LATE_MONTHS);
    else
        snprintf(ctx->message, sizeof(ctx->message),
                 "checked_on: a %u-month follow-up is dated from %s to %s (%u months after the "
                 "outcome's date, %d days early or %d months late at most)",
                 follow_up->months, first, last, follow_up->months, FOLLOW_UP_EARLY_DAYS,
                 FOLLOW_UP_LATE_MONTHS);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/*
 * Whether the caller may add this follow-up to the outcome (locked until the
 * transaction ends): the case's lead, or the institution that recorded it
 * (PERMISSION_DENIED otherwise), dated within its window (INVALID_ARGUMENT).
 */
static spona_status records_follow_up_allowed(struct request_context *ctx, const char *outcome_id,
                                              const Spona__V1__FollowUp *follow_up)
{
    const char *params[] = {outcome_id};
    spona_status status;
    PGresult *result = request_query(ctx, "records_outcome_lookup", 1, params, &status);
    if (result == NULL)
        return status;
    char writer[UUID_TEXT] = "", shown[16] = "", date[16] = "", today[16] = "";
    int found = PQntuples(result) == 1;
    if (found) {
        db_copy(result, 0, 1, writer, sizeof(writer));
        db_copy(result, 0, 2, shown, sizeof(shown));
        db_copy(result, 0, 3, date, sizeof(date));
        db_copy(result, 0, 4, today, sizeof(today));
    }
    PQclear(result);
    if (!found) {
        snprintf(ctx->message, sizeof(ctx->message), "no outcome %s that you may see",
                 outcome_id);
        error_code_set(&ctx->error, "not_visible");
        error_code_param(&ctx->error, "record", "outcome");
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    if (!ctx->subject.subject.is_lead_institution &&
        strcmp(writer, ctx->subject.institution_id) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the case's lead institution or the institution that recorded the outcome "
                 "may record its follow-ups");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    return records_follow_up_dated(ctx, follow_up, shown, date[0] != '\0' ? date : shown, today);
}

/* Stores the follow-up and bumps the outcome's version; CONFLICT when it has one already. */
static spona_status records_follow_up_insert(struct request_context *ctx, const char *outcome_id,
                                             const Spona__V1__FollowUp *follow_up)
{
    char months[16];
    snprintf(months, sizeof(months), "%u", follow_up->months);
    const char *params[] = {outcome_id,           ctx->job->installation.municipality_id,
                            months,               follow_up->checked_on,
                            follow_up->still_employed ? "true" : "false", follow_up->note,
                            ctx->job->session.user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "records_follow_up_insert", 7, params, &status);
    if (result == NULL)
        return status;
    int inserted = PQntuples(result) == 1;
    PQclear(result);
    if (!inserted) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "outcome %s already has its %u-month follow-up", outcome_id,
                 follow_up->months);
        return SPONA__V1__STATUS__CONFLICT;
    }
    result = request_query(ctx, "records_outcome_touch", 1, params, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status handle_follow_up_record(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__FollowUpRecordRequest *record_request = request->follow_up_record;
    const Spona__V1__FollowUp *follow_up = record_request->follow_up;
    const char *outcome_id = record_request->outcome_id;
    spona_status status = records_check_follow_up(ctx, follow_up);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "outcome %s, %u months", outcome_id,
             follow_up->months);
    ctx->record.detail = ctx->audit_detail;
    status = records_follow_up_allowed(ctx, outcome_id, follow_up);
    if (status == SPONA__V1__STATUS__OK)
        status = records_follow_up_insert(ctx, outcome_id, follow_up);
    if (status != SPONA__V1__STATUS__OK)
        return case_records_refuse(ctx, status);
    case_records_row_disclosed(ctx);

    /* the whole outcome to a reader of outcomes; to a writer only, what it just wrote */
    struct policy_decision read;
    access_decide(ctx->policy, &ctx->subject, POLICY_CATEGORY_OUTCOMES, POLICY_ACTION_READ,
                  &read);
    Spona__V1__OutcomeView *view;
    int whole = read.allowed && !ctx->subject.outcome_recorder;
    status = records_outcome_view(ctx, outcome_id, whole ? 0 : follow_up->months, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_FOLLOW_UP_RECORD;
    response->follow_up_record = view;
    return SPONA__V1__STATUS__OK;
}
