/*
 * The request pipeline (see request.h): the one function around every
 * handler. For a row of the request table it checks the session, replays a
 * retried keyed write, begins the transaction with the caller's identity, finds
 * the protocol in force and the subject the request names, refuses a caller
 * excluded from the person or denied the row's category, runs the handler,
 * appends the audit record (refusals too, with the handler's writes undone),
 * stores a keyed write's answer and commits. Then it packs the response frame.
 *
 * It never touches a socket: the job comes from and goes back to the network
 * layer (pipeline.h).
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "idempotency.h"
#include "log.h"
#include "region_pipeline.h"
#include "request.h"
#include "statements.h"
#include "subject.h"
#include "transaction.h"

/* The audit outcome of a refusal, or NULL when status is not a refusal. */
static const char *pipeline_refusal_outcome(spona_status status)
{
    switch (status) {
    case SPONA__V1__STATUS__PERMISSION_DENIED:
        return "denied";
    case SPONA__V1__STATUS__NOT_FOUND:
        return "not_found";
    case SPONA__V1__STATUS__CONFLICT:
        return "conflict";
    case SPONA__V1__STATUS__INVALID_ARGUMENT:
    case SPONA__V1__STATUS__FAILED_PRECONDITION:
        return "invalid";
    default:
        return NULL;
    }
}

void request_set_ids(struct request_context *ctx, const char *person_id, const char *case_id)
{
    if (person_id != NULL && person_id != ctx->audit_person_id)
        snprintf(ctx->audit_person_id, sizeof(ctx->audit_person_id), "%s", person_id);
    if (case_id != NULL && case_id != ctx->audit_case_id)
        snprintf(ctx->audit_case_id, sizeof(ctx->audit_case_id), "%s", case_id);
    ctx->record.person_id = ctx->audit_person_id[0] != '\0' ? ctx->audit_person_id : NULL;
    ctx->record.case_id = ctx->audit_case_id[0] != '\0' ? ctx->audit_case_id : NULL;
}

spona_status request_audit_also(struct request_context *ctx, struct audit_record *record)
{
    if (record->action == NULL)
        record->action = ctx->kind->name;
    if (record->outcome == NULL)
        record->outcome = "ok";
    if (record->protocol_version == 0)
        record->protocol_version = ctx->record.protocol_version;
    if (audit_queue_add(&ctx->also, record) != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "out of memory");
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/* 1 when the request's records go to the audit writer (audit_writer.h): a read (a row
 * without REQUEST_WRITE changes nothing) of a logged-in session, on a worker that has a
 * writer. A write's record commits with its change, in its own transaction. */
static int pipeline_batched(const struct request_context *ctx)
{
    const struct job *job = ctx->job;
    return job->audit_writer != NULL &&
           !(ctx->kind->flags & (REQUEST_WRITE | REQUEST_NO_AUDIT)) && job->session.active &&
           job->session.session_id[0] != '\0';
}

/*
 * Ends a read: its transaction committed (it read; it touched the session), ctx->record
 * and queue's records left in job->audit_batch for the audit writer, which sends the
 * answer home only once they are committed (and an error instead when they cannot be).
 * OK, or an error with ctx->message set; the transaction is closed either way.
 */
static spona_status pipeline_audit_later(struct request_context *ctx,
                                         const struct audit_queue *queue)
{
    char *json = audit_batch_json(ctx, &ctx->record, queue);
    spona_status status = SPONA__V1__STATUS__INTERNAL;
    if (json == NULL)
        snprintf(ctx->message, sizeof(ctx->message), "internal error (audit)");
    else
        status = request_commit(ctx);
    ctx->in_transaction = 0;
    if (status != SPONA__V1__STATUS__OK) {
        free(json);
        request_rollback(ctx);
        return status;
    }
    ctx->job->audit_batch = json;
    return status;
}

/*
 * Ends a refused request: the handler's writes undone (savepoint), the refusal
 * audited, committed. Keeps ctx->message. Returns status, or UNAVAILABLE when
 * the refusal could not be recorded. outcome NULL: the one status says.
 */
static spona_status pipeline_refuse(struct request_context *ctx, spona_status status,
                                    int savepoint, const char *outcome)
{
    char message[sizeof(ctx->message)];
    snprintf(message, sizeof(message), "%s", ctx->message);
    if (savepoint && db_command(ctx->db, "ROLLBACK TO SAVEPOINT request_handler") != 0)
        goto failed;
    if (!(ctx->kind->flags & REQUEST_NO_AUDIT)) {
        /* the refusal's record and the commit in one round trip, or a read's to the writer */
        ctx->record.outcome = outcome != NULL ? outcome : pipeline_refusal_outcome(status);
        spona_status appended = pipeline_batched(ctx)
                                    ? pipeline_audit_later(ctx, NULL)
                                    : audit_append(ctx, &ctx->record, AUDIT_THEN_COMMIT);
        if (appended != SPONA__V1__STATUS__OK)
            goto failed;
    } else if (request_commit(ctx) != SPONA__V1__STATUS__OK) {
        goto failed;
    }
    ctx->in_transaction = 0;
    snprintf(ctx->message, sizeof(ctx->message), "%s", message);
    return status;
failed:
    request_rollback(ctx);
    ctx->in_transaction = 0;
    snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
    error_code_set(&ctx->error, "database_unavailable");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

/*
 * Everything before the handler: transaction, protocol, subject, exclusion gate,
 * declared category. OK with the transaction open; otherwise the request's
 * answer (a refusal already audited and committed).
 */
static spona_status pipeline_prepare(struct request_context *ctx, const spona_request *request)
{
    const struct request_kind *kind = ctx->kind;
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    ctx->in_transaction = 1;
    if ((kind->flags & REQUEST_SESSION) && !ctx->session_alive) {
        request_rollback(ctx);
        ctx->in_transaction = 0;
        return session_refused(ctx);
    }
    status = subject_check_id(ctx, request);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    ctx->record.action = kind->name;
    ctx->policy = access_policy(ctx, &status);
    if (ctx->policy == NULL && status != SPONA__V1__STATUS__OK)
        return status;
    ctx->record.protocol_version = ctx->policy != NULL ? ctx->policy->version : 0;

    status = subject_resolve(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return pipeline_refusal_outcome(status) != NULL ? pipeline_refuse(ctx, status, 0, NULL)
                                                         : status;
    if (ctx->subject.caller_excluded) { /* also a referral addressed to the caller */
        /* the same answer as for a person or case that does not exist */
        ctx->record.detail = "excluded from a case of the person";
        subject_not_found(ctx);
        return pipeline_refuse(ctx, SPONA__V1__STATUS__NOT_FOUND, 0, "denied");
    }
    if (kind->category != REQUEST_NO_CATEGORY && ctx->has_subject) {
        access_decide(ctx->policy, &ctx->subject, (enum policy_category)kind->category,
                      kind->action, &ctx->decision);
        if (!ctx->decision.allowed) {
            ctx->record.denied |= POLICY_BIT(kind->category);
            snprintf(ctx->message, sizeof(ctx->message), "%s", ctx->decision.reason);
            error_code_decision(&ctx->error, &ctx->decision,
                                (enum policy_category)kind->category, kind->action);
            return pipeline_refuse(ctx, SPONA__V1__STATUS__PERMISSION_DENIED, 0, NULL);
        }
        audit_add_clause(&ctx->record, ctx->decision.clause_number);
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * A retry of a write already applied (its idempotency key holds an answer), once the
 * gates passed: the first answer in *response, nothing written but its audit record. OK to go on (a new
 * key), the replayed answer's status, or an error; the transaction is closed unless OK
 * with nothing replayed.
 */
static spona_status pipeline_replay(struct request_context *ctx, const spona_request *request,
                                    spona_response **response, int *replayed)
{
    spona_response *stored = NULL;
    spona_status status = idempotency_lookup(ctx, request, &stored);
    *replayed = stored != NULL;
    if (status == SPONA__V1__STATUS__OK && stored == NULL)
        return status;
    if (stored != NULL && !(ctx->kind->flags & REQUEST_NO_AUDIT)) {
        /* the stored answer discloses again what the first one did: on the trail too */
        ctx->record.outcome = "ok";
        ctx->record.detail = "a retry (idempotency key): the stored answer given again";
        if (ctx->kind->category != REQUEST_NO_CATEGORY)
            ctx->record.disclosed |= POLICY_BIT(ctx->kind->category);
        status = audit_append(ctx, &ctx->record, AUDIT_THEN_COMMIT);
        if (status != SPONA__V1__STATUS__OK) {
            request_rollback(ctx);
            ctx->in_transaction = 0;
            spona__v1__response__free_unpacked(stored, NULL);
            *replayed = 0;
            return status;
        }
    } else {
        request_rollback(ctx); /* nothing to keep */
    }
    ctx->in_transaction = 0;
    if (stored == NULL)
        return status;
    spona__v1__response__free_unpacked(*response, NULL);
    *response = stored;
    log_info("%s request %llu from %s: replayed the stored answer (idempotency key)",
             ctx->kind->name, (unsigned long long)ctx->job->request_id, ctx->job->peer);
    return stored->status;
}

/* The audited path: prepare, handler, audit, commit (with the stored answer when keyed). */
static spona_status pipeline_audited(struct request_context *ctx, const spona_request *request,
                                     spona_response **response, int keyed)
{
    spona_status status = pipeline_prepare(ctx, request);
    if (status != SPONA__V1__STATUS__OK) {
        if (ctx->in_transaction)
            request_rollback(ctx);
        return status;
    }
    if (keyed) {
        /* a retry's answer only to a caller who passed the same gates as a first request */
        int replayed = 0;
        status = pipeline_replay(ctx, request, response, &replayed);
        if (replayed || status != SPONA__V1__STATUS__OK)
            return status;
    }
    /* a closed case takes no more records; a retry of one added before still answers */
    if ((ctx->kind->flags & REQUEST_OPEN_CASE) && ctx->has_subject &&
        ctx->subject.case_closed) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the case is closed: it takes no more records (reopen it first)");
        error_code_set(&ctx->error, "case_closed");
        return pipeline_refuse(ctx, SPONA__V1__STATUS__FAILED_PRECONDITION, 0, NULL);
    }
    int savepoint = (ctx->kind->flags & REQUEST_WRITE) != 0;
    if (savepoint && db_command(ctx->db, "SAVEPOINT request_handler") != 0) {
        request_rollback(ctx);
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
    error_code_set(&ctx->error, "database_unavailable");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    status = ctx->kind->handler(ctx, request, *response);
    if (status != SPONA__V1__STATUS__OK) {
        if (pipeline_refusal_outcome(status) != NULL)
            return pipeline_refuse(ctx, status, savepoint, NULL);
        request_rollback(ctx);
        return status;
    }
    if (!(ctx->kind->flags & REQUEST_NO_AUDIT)) {
        /* unkeyed, the records and the commit go in one round trip: the audit chain's
           head stays locked only for the commit itself */
        ctx->record.outcome = "ok";
        if (pipeline_batched(ctx)) /* a read: its records to the audit writer */
            return pipeline_audit_later(ctx, &ctx->also);
        status = audit_append_all(ctx, &ctx->record, &ctx->also,
                                  keyed ? AUDIT_THEN_STAY : AUDIT_THEN_COMMIT);
        if (status != SPONA__V1__STATUS__OK) {
            request_rollback(ctx);
            return status;
        }
        if (!keyed)
            return status;
    }
    if (keyed)
        return idempotency_finish(ctx, request, status, response);
    status = request_commit(ctx);
    if (status != SPONA__V1__STATUS__OK)
        request_rollback(ctx);
    return status;
}


static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static spona_response *pipeline_new_response(uint64_t request_id)
{
    spona_response *response = malloc(sizeof(*response));
    if (response == NULL)
        return NULL;
    spona__v1__response__init(response);
    response->request_id = request_id;
    return response;
}

/* Session gate, then the row's path. *response may be replaced (a replayed answer). */
static spona_status pipeline_answer(struct request_context *ctx, spona_response **response)
{
    const struct request_kind *kind = ctx->kind;
    struct job *job = ctx->job;
    if (!request_served(kind, ctx->config->mode)) { /* deny by default (docs/region.md) */
        snprintf(ctx->message, sizeof(ctx->message), "%s",
                 ctx->config->mode == SERVER_MODE_REGIONAL
                     ? "not served by a regional server: send it to the municipality's server"
                     : "not served by a municipal server: a regional request goes to the "
                       "region's server");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    if ((kind->flags & REQUEST_SESSION) && !job->session.active) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "this request needs a session: log in first");
        error_code_set(&ctx->error, "session_required");
        return SPONA__V1__STATUS__UNAUTHENTICATED;
    }
    if (kind->flags & REQUEST_OWN_TX) { /* sessions: their own statements, never a write */
        spona_status status = SPONA__V1__STATUS__OK;
        if (kind->flags & REQUEST_SESSION)
            status = session_check(ctx);
        return status == SPONA__V1__STATUS__OK ? kind->handler(ctx, job->request, *response)
                                               : status;
    }
    if (kind->flags & REQUEST_REGIONAL)
        return region_answer(ctx, *response);
    /* the session is checked with BEGIN (request_begin), a retry's answer after the gates */
    int keyed = (kind->flags & REQUEST_WRITE) && job->request != NULL &&
                job->request->idempotency_key[0] != '\0';
    return pipeline_audited(ctx, job->request, response, keyed);
}

/* Packs the answer into job->frame (nothing for a successful identification). */
static void pipeline_pack(struct request_context *ctx, spona_response *response,
                          spona_status status)
{
    struct job *job = ctx->job;
    if (status != SPONA__V1__STATUS__OK) {
        if (ctx->message[0] == '\0')
            snprintf(ctx->message, sizeof(ctx->message), "%s", envelope_status_name(status));
        decode_cut_to_text(ctx->message); /* a message cut short may end mid-character */
        response->message = strdup(ctx->message);
        error_code_classify(&ctx->error, status, ctx->message);
        if (response->message != NULL && error_code_fill(&ctx->error, status, response) != 0) {
            free(response->message);
            response->message = NULL; /* out of memory: reported below */
        }
    }
    if (job->kind == &request_identify && status != SPONA__V1__STATUS__OK)
        job->close_after = 1; /* an unidentified connection may not ask anything */
    int silent = job->kind == &request_identify && status == SPONA__V1__STATUS__OK;
    if (!silent && (response->message == NULL ||
                    envelope_pack(&response->base, &job->frame, &job->frame_length) != 0)) {
        log_error("cannot pack response to request %llu", (unsigned long long)job->request_id);
        job->close_after = 1;
    }
    if (response->message == NULL)
        response->message = (char *)(uintptr_t)protobuf_c_empty_string;
    spona__v1__response__free_unpacked(response, NULL);
}

void request_run(struct job *job, const struct server_config *config, struct db *db)
{
    struct request_context *ctx = calloc(1, sizeof(*ctx));
    spona_response *response = pipeline_new_response(job->request_id);
    if (ctx == NULL || response == NULL) {
        log_error("out of memory answering request %llu", (unsigned long long)job->request_id);
        free(ctx);
        free(response);
        job->close_after = 1;
        return;
    }
    *ctx = (struct request_context){.config = config, .db = db, .job = job, .kind = job->kind};
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);

    spona_status status = pipeline_answer(ctx, &response);
    if (job->deferred != NULL) { /* a step left for the hashing pool: answered later */
        spona__v1__response__free_unpacked(response, NULL);
        free(ctx);
        return;
    }
    if (status != SPONA__V1__STATUS__OK && response->body_case != 0) {
        /* a request that failed must not leak a half-built body */
        spona__v1__response__free_unpacked(response, NULL);
        response = pipeline_new_response(job->request_id);
        if (response == NULL) {
            audit_queue_free(&ctx->also);
            free(ctx);
            job->close_after = 1;
            return;
        }
    }
    response->request_id = job->request_id;
    response->status = status;
    pipeline_pack(ctx, response, status);
    log_debug("%s request %llu from %s: %s (%.2f ms)", job->kind->name,
              (unsigned long long)job->request_id, job->peer, envelope_status_name(status),
              elapsed_ms(&start));
    audit_queue_free(&ctx->also);
    free(ctx);
}

int request_error_frame(uint64_t request_id, spona_status status, const char *message,
                        uint8_t **frame, size_t *frame_length)
{
    spona_response response = SPONA__V1__RESPONSE__INIT;
    response.request_id = request_id;
    response.status = status;
    response.message = (char *)(uintptr_t)message;
    response.error_code = (char *)(uintptr_t)error_code_default(status);
    return envelope_pack(&response.base, frame, frame_length);
}
