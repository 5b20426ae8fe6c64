/*
 * A case's lifecycle (docs/cases.md, "Case lifecycle"): the lead institution
 * advances the stage one step at a time, closes the case with a reason and
 * reopens it. The moves themselves are case_stage.c's table; here they are
 * checked against the case as it stands (row locked, version compared), written
 * with their history (case_stage_changes), audited, and answered with the case
 * as case_get shows it. Also the helpers of case_records.h, which the
 * assessment and plan handlers share.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records.h"
#include "case_records_util.h"
#include "case_stage.h"
#include "case_view.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "transaction.h"

#define LIFECYCLE_MAX_REASON 500
#define LIFECYCLE_MAX_NOTE 1000

const struct db_statement lifecycle_statements[] = {
    /* serialises the writers of one case (non-key columns only change) */
    {"lifecycle_lock",
     "SELECT stage, version FROM cases WHERE id = $1::uuid FOR NO KEY UPDATE"},
    /* $3: the new stage; $4: the close reason ('' when not closing) */
    {"lifecycle_move",
     "UPDATE cases SET stage = $3, version = version + 1,"
     "       closed_at = CASE WHEN $3 = 'closed' THEN now() END,"
     "       close_reason = NULLIF($4, '')"
     " WHERE id = $1::uuid AND version = $2::bigint RETURNING version"},
    {"lifecycle_history",
     "INSERT INTO case_stage_changes (case_id, municipality_id, from_stage, to_stage, reason,"
     "                                changed_by)"
     " VALUES ($1::uuid, $2, $3, $4, $5, $6)"},
    /* reopening: another open case of the same person */
    {"lifecycle_other_open",
     "SELECT o.id FROM cases c JOIN cases o ON o.person_id = c.person_id"
     " WHERE c.id = $1::uuid AND o.id <> c.id AND o.closed_at IS NULL LIMIT 1"},
    {NULL, NULL},
};

spona_status case_records_check_id(struct request_context *ctx, const char *name,
                                   const char *id)
{
    if (request_is_uuid(id))
        return SPONA__V1__STATUS__OK;
    snprintf(ctx->message, sizeof(ctx->message), "%s '%.40s' is not a UUID", name, id);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

spona_status case_records_begin(struct request_context *ctx, const char *case_id,
                                struct audit_record *record, const struct policy **policy,
                                struct access_case *access)
{
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    *policy = access_policy(ctx, &status);
    if (*policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record->protocol_version = *policy != NULL ? (*policy)->version : 0;
    status = access_case_subject(ctx, case_id, NULL, access);
    if (status == SPONA__V1__STATUS__NOT_FOUND)
        return handlers_refuse(ctx, record, "not_found", status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    record->person_id = access->person_id;
    record->emergency = access->emergency;
    return SPONA__V1__STATUS__OK;

failed:
    request_rollback(ctx);
    return status;
}

spona_status case_records_require_lead(struct request_context *ctx,
                                       const struct access_case *access, const char *what)
{
    if (access->subject.excluded)
        snprintf(ctx->message, sizeof(ctx->message),
                 "excluded from this case by the lead agency");
    else if (!access->subject.is_lead_institution)
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the case's lead institution may %s", what);
    else
        return SPONA__V1__STATUS__OK;
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

const char *case_records_outcome(spona_status status)
{
    switch (status) {
    case SPONA__V1__STATUS__PERMISSION_DENIED:
        return "denied";
    case SPONA__V1__STATUS__NOT_FOUND:
        return "not_found";
    case SPONA__V1__STATUS__CONFLICT:
        return "conflict";
    default:
        return "invalid";
    }
}

spona_status case_records_lock(struct request_context *ctx, const char *case_id, char *stage,
                               size_t stage_size, uint64_t *version)
{
    const char *params[] = {case_id};
    spona_status status;
    PGresult *result = request_query(ctx, "lifecycle_lock", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no case %s that you may see", case_id);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    db_copy(result, 0, 0, stage, stage_size);
    *version = strtoull(PQgetvalue(result, 0, 1), NULL, 10);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* One stage change as a request asks for it. */
struct lifecycle_move {
    const char *action;        /* the request's name, for audit and messages */
    enum case_move kind;       /* the request's kind of move */
    const char *case_id;
    uint64_t expected_version;
    enum case_stage to;
    const char *close_reason;  /* closing: the reason code; else "" */
    const char *history;       /* the reason kept in case_stage_changes */
};

/*
 * Checks the move against the case as it stands: CONFLICT when the version
 * is stale, FAILED_PRECONDITION naming the allowed stages when the move is not
 * one of this request's, CONFLICT when a reopened case's person has another
 * open case. OK, or the status with ctx->message set.
 */
static spona_status lifecycle_check(struct request_context *ctx,
                                    const struct lifecycle_move *move, const char *stage_text,
                                    uint64_t version)
{
    if (version != move->expected_version) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "case was changed meanwhile: current version %" PRIu64, version);
        return SPONA__V1__STATUS__CONFLICT;
    }
    int from = case_stage_from_name(stage_text);
    if (from < 0) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    enum case_move found = case_stage_move((enum case_stage)from, move->to);
    if (found != move->kind) {
        char allowed[128];
        (void)case_stage_allowed_text((enum case_stage)from, allowed, sizeof(allowed));
        const char *hint = "";
        if (found == CASE_MOVE_CLOSE)
            hint = " (closing needs case_close, with a reason)";
        else if (found == CASE_MOVE_REOPEN)
            hint = " (reopening needs case_reopen, with a reason)";
        snprintf(ctx->message, sizeof(ctx->message),
                 "case %s cannot go from %s to %s; from %s: %s%s", move->case_id, stage_text,
                 case_stage_name(move->to), stage_text, allowed, hint);
        return SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    if (move->kind != CASE_MOVE_REOPEN)
        return SPONA__V1__STATUS__OK;
    const char *params[] = {move->case_id};
    spona_status status;
    PGresult *result = request_query(ctx, "lifecycle_other_open", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the person already has an open case: %s", PQgetvalue(result, 0, 0));
        status = SPONA__V1__STATUS__CONFLICT;
    }
    PQclear(result);
    return status;
}

/* Writes the move and its history; the version was checked under the row lock. */
static spona_status lifecycle_write(struct request_context *ctx,
                                    const struct lifecycle_move *move, const char *from)
{
    char expected[24];
    snprintf(expected, sizeof(expected), "%" PRIu64, move->expected_version);
    const char *to = case_stage_name(move->to);
    const char *update[] = {move->case_id, expected, to, move->close_reason};
    spona_status status;
    PGresult *result = request_query(ctx, "lifecycle_move", 4, update, &status);
    if (result == NULL)
        return status;
    int updated = PQntuples(result) == 1;
    PQclear(result);
    if (!updated) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    const struct job *job = ctx->job;
    const char *history[] = {move->case_id, job->installation.municipality_id, from, to,
                             move->history, job->session.user_id};
    result = request_query(ctx, "lifecycle_history", 6, history, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* Runs one move: the lead only, checked, written, audited, answered with the case. */
static spona_status lifecycle_run(struct request_context *ctx, const struct lifecycle_move *move,
                                  Spona__V1__CaseView **out)
{
    *out = NULL;
    struct audit_record record = {.action = move->action, .case_id = move->case_id};
    char detail[96];
    snprintf(detail, sizeof(detail), "-> %s", case_stage_name(move->to));
    record.detail = detail;
    const struct policy *policy;
    struct access_case access;
    spona_status status = case_records_begin(ctx, move->case_id, &record, &policy, &access);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    status = case_records_require_lead(ctx, &access, "change its stage");
    if (status != SPONA__V1__STATUS__OK)
        return handlers_refuse(ctx, &record, "denied", status);

    char stage[32];
    uint64_t version = 0;
    status = case_records_lock(ctx, move->case_id, stage, sizeof(stage), &version);
    if (status == SPONA__V1__STATUS__NOT_FOUND)
        return handlers_refuse(ctx, &record, "not_found", status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    snprintf(detail, sizeof(detail), "%s -> %s", stage, case_stage_name(move->to));
    status = lifecycle_check(ctx, move, stage, version);
    if (status == SPONA__V1__STATUS__CONFLICT || status == SPONA__V1__STATUS__FAILED_PRECONDITION)
        return handlers_refuse(ctx, &record, case_records_outcome(status), status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    status = lifecycle_write(ctx, move, stage);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;

    status = case_view_load(ctx, policy, &access, out, &record);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    status = audit_commit(ctx, &record);
    if (status == SPONA__V1__STATUS__OK)
        return status;
    spona__v1__case_view__free_unpacked(*out, NULL);
    *out = NULL;
    return status;

failed:
    if (*out != NULL)
        spona__v1__case_view__free_unpacked(*out, NULL);
    *out = NULL;
    request_rollback(ctx);
    return status;
}

spona_status handle_case_advance(struct request_context *ctx, const spona_request *request,
                                 spona_response *response)
{
    const Spona__V1__CaseAdvanceRequest *advance = request->case_advance;
    spona_status status = case_records_check_id(ctx, "case_id", advance->case_id);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    int to = case_stage_from_name(advance->to_stage);
    if (to < 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "to_stage: unknown stage '%.40s' (intake, assessment, planning, implementation, "
                 "review or closed)", advance->to_stage);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    struct lifecycle_move move = {.action = "case_advance", .kind = CASE_MOVE_ADVANCE,
                                  .case_id = advance->case_id,
                                  .expected_version = advance->expected_version,
                                  .to = (enum case_stage)to, .close_reason = "", .history = ""};
    Spona__V1__CaseView *view;
    status = lifecycle_run(ctx, &move, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_ADVANCE;
    response->case_advance = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_case_close(struct request_context *ctx, const spona_request *request,
                               spona_response *response)
{
    const Spona__V1__CaseCloseRequest *close = request->case_close;
    spona_status status = case_records_check_id(ctx, "case_id", close->case_id);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (!case_close_reason_valid(close->reason)) {
        snprintf(ctx->message, sizeof(ctx->message), "reason: '%.40s' is not a close reason (%s)",
                 close->reason, case_close_reasons_text());
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    status = case_records_check_text(ctx, "note", close->note, 0, LIFECYCLE_MAX_NOTE);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    /* the history keeps the reason and the note: "employed: note" */
    char history[LIFECYCLE_MAX_NOTE * 4 + 64];
    snprintf(history, sizeof(history), "%s%s%s", close->reason, close->note[0] ? ": " : "",
             close->note);
    struct lifecycle_move move = {.action = "case_close", .kind = CASE_MOVE_CLOSE,
                                  .case_id = close->case_id,
                                  .expected_version = close->expected_version,
                                  .to = CASE_STAGE_CLOSED, .close_reason = close->reason,
                                  .history = history};
    Spona__V1__CaseView *view;
    status = lifecycle_run(ctx, &move, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_CLOSE;
    response->case_close = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_case_reopen(struct request_context *ctx, const spona_request *request,
                                spona_response *response)
{
    const Spona__V1__CaseReopenRequest *reopen = request->case_reopen;
    spona_status status = case_records_check_id(ctx, "case_id", reopen->case_id);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    status = case_records_check_text(ctx, "reason", reopen->reason, 1, LIFECYCLE_MAX_REASON);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct lifecycle_move move = {.action = "case_reopen", .kind = CASE_MOVE_REOPEN,
                                  .case_id = reopen->case_id,
                                  .expected_version = reopen->expected_version,
                                  .to = CASE_STAGE_ASSESSMENT, .close_reason = "",
                                  .history = reopen->reason};
    Spona__V1__CaseView *view;
    status = lifecycle_run(ctx, &move, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_REOPEN;
    response->case_reopen = view;
    return SPONA__V1__STATUS__OK;
}
