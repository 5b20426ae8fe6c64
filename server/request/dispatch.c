/*
 * Request dispatch (see dispatch.h): the table, the session gate, and the
 * packing of responses. Adding a request kind is one row here and one handler.
 */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "idempotency.h"
#include "log.h"

static const struct dispatch_entry dispatch_table[] = {
    {SPONA__V1__REQUEST__BODY_PING, "ping", DISPATCH_INLINE, 0, handle_ping, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_LOGIN, "login", DISPATCH_WORKER, 0, handle_login, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_RESUME, "resume", DISPATCH_WORKER, 0, handle_resume, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_WHOAMI, "whoami", DISPATCH_WORKER, 1, handle_whoami, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_LOGOUT, "logout", DISPATCH_WORKER, 1, handle_logout, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_PROTOCOL_IMPORT, "protocol_import", DISPATCH_WORKER, 1,
     handle_protocol_import, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_PROTOCOL_SHOW, "protocol_show", DISPATCH_WORKER, 1,
     handle_protocol_show, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_PERSON_CREATE, "person_create", DISPATCH_WORKER, 1,
     handle_person_create, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_PERSON_GET, "person_get", DISPATCH_WORKER, 1, handle_person_get, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_PERSON_UPDATE, "person_update", DISPATCH_WORKER, 1,
     handle_person_update, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CASE_OPEN, "case_open", DISPATCH_WORKER, 1, handle_case_open, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CASE_GET, "case_get", DISPATCH_WORKER, 1, handle_case_get, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_REFERRAL_CREATE, "referral_create", DISPATCH_WORKER, 1,
     handle_referral_create, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_REFERRAL_ACCEPT, "referral_accept", DISPATCH_WORKER, 1,
     handle_referral_accept, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CONSENT_GRANT, "consent_grant", DISPATCH_WORKER, 1,
     handle_consent_grant, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CONSENT_WITHDRAW, "consent_withdraw", DISPATCH_WORKER, 1,
     handle_consent_withdraw, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CONSENT_LIST, "consent_list", DISPATCH_WORKER, 1,
     handle_consent_list, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_EXPLAIN, "explain", DISPATCH_WORKER, 1, handle_explain, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_AUDIT_VERIFY, "audit_verify", DISPATCH_WORKER, 1,
     handle_audit_verify, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_DISCLOSURES, "disclosures", DISPATCH_WORKER, 1,
     handle_disclosures, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_EMERGENCY_ACCESS, "emergency_access", DISPATCH_WORKER, 1,
     handle_emergency_access, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CASE_EXCLUDE, "case_exclude", DISPATCH_WORKER, 1,
     handle_case_exclude, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_EMERGENCY_REVIEW, "emergency_review", DISPATCH_WORKER, 1,
     handle_emergency_review, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_PERSON_SEARCH, "person_search", DISPATCH_WORKER, 1, handle_person_search, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_HOUSEHOLD_SET, "household_set", DISPATCH_WORKER, 1, handle_household_set, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_BENEFIT_ADD, "benefit_add", DISPATCH_WORKER, 1, handle_benefit_add, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CASE_ADVANCE, "case_advance", DISPATCH_WORKER, 1, handle_case_advance, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CASE_CLOSE, "case_close", DISPATCH_WORKER, 1, handle_case_close, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_CASE_REOPEN, "case_reopen", DISPATCH_WORKER, 1, handle_case_reopen, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_ASSESSMENT_RECORD, "assessment_record", DISPATCH_WORKER, 1, handle_assessment_record, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_ASSESSMENT_GET, "assessment_get", DISPATCH_WORKER, 1, handle_assessment_get, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_PLAN_CHANGE, "plan_change", DISPATCH_WORKER, 1, handle_plan_change, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_PLAN_GET, "plan_get", DISPATCH_WORKER, 1, handle_plan_get, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_REFERRAL_DECLINE, "referral_decline", DISPATCH_WORKER, 1, handle_referral_decline, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_REFERRAL_COMPLETE, "referral_complete", DISPATCH_WORKER, 1, handle_referral_complete, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_INBOX, "inbox", DISPATCH_WORKER, 1, handle_inbox, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_OVERDUE, "overdue", DISPATCH_WORKER, 1, handle_overdue, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_CONFERENCE_RECORD, "conference_record", DISPATCH_WORKER, 1, handle_conference_record, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_NOTE_ADD, "note_add", DISPATCH_WORKER, 1, handle_note_add, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_OUTCOME_RECORD, "outcome_record", DISPATCH_WORKER, 1, handle_outcome_record, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_FOLLOW_UP_RECORD, "follow_up_record", DISPATCH_WORKER, 1, handle_follow_up_record, DISPATCH_WRITE},
    {SPONA__V1__REQUEST__BODY_TIMELINE, "timeline", DISPATCH_WORKER, 1, handle_timeline, DISPATCH_READ},
    {SPONA__V1__REQUEST__BODY_REPORT, "report", DISPATCH_WORKER, 1, handle_report, DISPATCH_READ},
};

const struct dispatch_entry dispatch_identify = {0, "identify", DISPATCH_WORKER, 0,
                                                 handle_identify, DISPATCH_READ};

const struct dispatch_entry *dispatch_lookup(int body_case)
{
    for (size_t i = 0; i < sizeof(dispatch_table) / sizeof(dispatch_table[0]); i++)
        if (dispatch_table[i].body_case == body_case)
            return &dispatch_table[i];
    return NULL;
}

PGresult *request_query(struct request_context *ctx, const char *name, int count,
                        const char *const *params, spona_status *status)
{
    PGresult *result = db_exec(ctx->db, name, count, params);
    if (result == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        *status = SPONA__V1__STATUS__UNAVAILABLE;
        return NULL;
    }
    if (!db_ok(result, name)) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        *status = SPONA__V1__STATUS__INTERNAL;
        return NULL;
    }
    *status = SPONA__V1__STATUS__OK;
    return result;
}

int request_is_uuid(const char *text)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(text) != sizeof(shape) - 1)
        return 0;
    for (size_t i = 0; shape[i] != '\0'; i++) {
        char c = text[i];
        int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (shape[i] == '-' ? c != '-' : !hex)
            return 0;
    }
    return 1;
}

int dispatch_error_frame(uint64_t request_id, spona_status status, const char *message,
                         uint8_t **frame, size_t *frame_length)
{
    spona_response response = SPONA__V1__RESPONSE__INIT;
    response.request_id = request_id;
    response.status = status;
    response.message = (char *)(uintptr_t)message;
    return envelope_pack(&response.base, frame, frame_length);
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

void dispatch_run(struct job *job, const struct server_config *config, struct db *db)
{
    const struct dispatch_entry *entry = job->entry;
    struct request_context ctx = {.config = config, .db = db, .job = job};
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);

    spona_response *response = malloc(sizeof(*response));
    if (response == NULL) {
        log_error("out of memory answering request %llu", (unsigned long long)job->request_id);
        job->close_after = 1;
        return;
    }
    spona__v1__response__init(response);
    response->request_id = job->request_id;

    spona_status status = SPONA__V1__STATUS__OK;
    if (entry->needs_session && !job->session.active) {
        status = SPONA__V1__STATUS__UNAUTHENTICATED;
        snprintf(ctx.message, sizeof(ctx.message),
                 "this request needs a session: log in first");
    } else if (entry->needs_session) {
        status = session_check(&ctx);
    }
    int keyed = entry->write && job->request != NULL && job->request->idempotency_key[0] != '\0';
    if (status == SPONA__V1__STATUS__OK && keyed) {
        spona_response *replayed = NULL;
        status = idempotency_replay(&ctx, job->request, &replayed);
        if (replayed != NULL) {
            /* a retry of a write already applied: the first answer, with this request's id */
            spona__v1__response__free_unpacked(response, NULL);
            response = replayed;
            response->request_id = job->request_id;
            keyed = 0;
            log_info("%s request %llu from %s: replayed the stored answer (idempotency key)",
                     entry->name, (unsigned long long)job->request_id, job->peer);
            goto pack;
        }
    }
    if (status == SPONA__V1__STATUS__OK) {
        ctx.defer_commit = keyed;
        status = entry->handler(&ctx, job->request, response);
        ctx.defer_commit = 0;
        if (ctx.commit_pending) {
            /* the write and its stored answer commit together */
            status = idempotency_finish(&ctx, job->request, status, &response);
            response->request_id = job->request_id;
        } else if (status == SPONA__V1__STATUS__OK && keyed) {
            response->status = status;
            idempotency_store(&ctx, job->request, response);
        }
    }

    if (status != SPONA__V1__STATUS__OK && response->body_case != 0) {
        /* a handler that failed must not leak a half-built body */
        spona__v1__response__free_unpacked(response, NULL);
        response = malloc(sizeof(*response));
        if (response == NULL) {
            job->close_after = 1;
            return;
        }
        spona__v1__response__init(response);
        response->request_id = job->request_id;
    }
    response->status = status;
pack:
    status = response->status;
    if (status != SPONA__V1__STATUS__OK) {
        if (ctx.message[0] == '\0')
            snprintf(ctx.message, sizeof(ctx.message), "%s", envelope_status_name(status));
        response->message = strdup(ctx.message);
    }

    if (entry == &dispatch_identify && status != SPONA__V1__STATUS__OK)
        job->close_after = 1; /* an unidentified connection may not ask anything */
    int silent = entry == &dispatch_identify && status == SPONA__V1__STATUS__OK;
    if (!silent && (response->message == NULL ||
                    envelope_pack(&response->base, &job->frame, &job->frame_length) != 0)) {
        log_error("cannot pack response to request %llu", (unsigned long long)job->request_id);
        job->close_after = 1;
    }
    if (response->message == NULL)
        response->message = (char *)(uintptr_t)protobuf_c_empty_string;
    spona__v1__response__free_unpacked(response, NULL);

    log_debug("%s request %llu from %s: %s (%.2f ms)", entry->name,
              (unsigned long long)job->request_id, job->peer, envelope_status_name(status),
              elapsed_ms(&start));
}
