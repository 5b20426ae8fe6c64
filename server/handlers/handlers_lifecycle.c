/*
 * A case's lifecycle (docs/cases.md, "Case lifecycle"): the lead institution
 * advances the stage one step at a time, closes the case with a reason and
 * reopens it. The moves themselves are case_stage.c's table; here they are
 * checked against the case as it stands (row locked, version compared), written
 * with their history (case_stage_changes) and answered with the case as
 * case_get shows it. Runs on the request pipeline, which finds the case, keeps
 * excluded callers out, undoes a refused move and audits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case_records.h"
#include "case_records_util.h"
#include "case_stage.h"
#include "handlers_case.h"
#include "conflict_explain.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"

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

/* One stage change as a request asks for it. */
struct lifecycle_move {
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
        char current[24];
        snprintf(current, sizeof(current), "%" PRIu64, version);
        return conflict_explain(ctx, CONFLICT_CASE, move->case_id, current);
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
        error_code_set(&ctx->error, "stage_move_invalid");
        error_code_param(&ctx->error, "from", case_stage_name((enum case_stage)from));
        error_code_param(&ctx->error, "to", case_stage_name(move->to));
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

/* Runs one move: the lead only, checked, written, answered with the case. */
static spona_status lifecycle_run(struct request_context *ctx, const struct lifecycle_move *move,
                                  Spona__V1__CaseView **out)
{
    *out = NULL;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "-> %s", case_stage_name(move->to));
    ctx->record.detail = ctx->audit_detail;
    spona_status status = case_records_require_lead(ctx, &ctx->subject, "change its stage");
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char stage[32];
    uint64_t version = 0;
    status = case_records_lock(ctx, move->case_id, stage, sizeof(stage), &version);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s -> %s", stage,
             case_stage_name(move->to));
    status = lifecycle_check(ctx, move, stage, version);
    if (status == SPONA__V1__STATUS__OK)
        status = lifecycle_write(ctx, move, stage);
    if (status == SPONA__V1__STATUS__OK)
        status = case_view_load(ctx, ctx->policy, &ctx->subject, out, &ctx->record);
    return status;
}

spona_status handle_case_advance(struct request_context *ctx, const spona_request *request,
                                 spona_response *response)
{
    const Spona__V1__CaseAdvanceRequest *advance = request->case_advance;
    int to = case_stage_from_name(advance->to_stage);
    if (to < 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "to_stage: not a stage (intake, assessment, planning, implementation, "
                 "review or closed)");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    struct lifecycle_move move = {.kind = CASE_MOVE_ADVANCE,
                                  .case_id = advance->case_id,
                                  .expected_version = advance->expected_version,
                                  .to = (enum case_stage)to, .close_reason = "", .history = ""};
    Spona__V1__CaseView *view;
    spona_status status = lifecycle_run(ctx, &move, &view);
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
    if (!case_close_reason_valid(close->reason)) {
        snprintf(ctx->message, sizeof(ctx->message), "reason: not a close reason (%s)",
                 case_close_reasons_text());
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    spona_status status = case_records_check_text(ctx, "note", close->note, 0, LIFECYCLE_MAX_NOTE);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    /* the history keeps the reason and the note: "employed: note" */
    char history[LIFECYCLE_MAX_NOTE * 4 + 64];
    snprintf(history, sizeof(history), "%s%s%s", close->reason, close->note[0] ? ": " : "",
             close->note);
    struct lifecycle_move move = {.kind = CASE_MOVE_CLOSE,
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
    spona_status status =
        case_records_check_text(ctx, "reason", reopen->reason, 1, LIFECYCLE_MAX_REASON);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct lifecycle_move move = {.kind = CASE_MOVE_REOPEN,
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
