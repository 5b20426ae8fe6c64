/*
 * Integration test: every request kind, found by walking the Request descriptor, sent
 * by each kind of caller of testgrad (the lead agency, the employment service, the NGO,
 * the coordinator) in three shapes: an empty body; every string field (at any depth of
 * singular submessages) set to a well-formed UUID that names nothing, every number to a
 * large value; and every string set to text that is no id at all. Each gets an answer
 * with a documented refusal or a plain answer, never INTERNAL or UNAVAILABLE, the
 * connection stays open, and the server keeps serving a ping after each. Kinds that end
 * the session (logout) are sent last. Nothing of testgrad's shared data is changed: an
 * empty or unknown-id write has nothing to act on, and a write that says OK anyway is a
 * failure (a write must name what it writes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "idata.h"
#include "itest.h"

static struct itest_server server;
static int answered[32]; /* answers per status, for the summary line */

enum shape { SHAPE_EMPTY, SHAPE_UNKNOWN_IDS, SHAPE_NOT_IDS, SHAPE_COUNT };
static const char *const shape_names[SHAPE_COUNT] = {"empty", "unknown ids", "not ids"};
#define UNKNOWN_ID "6f1c2b7e-0d9a-4c35-9e1f-3a8b5c7d9e01"
#define NOT_AN_ID "ništa; DROP TABLE persons; --"

/* Kinds an OK answer to an empty or unknown body is right for: reads of the caller's own
 * lists and the whole municipality's, and the session requests. */
static const char *const ok_allowed[] = {
    "ping", "whoami", "resume", "login", "logout", "inbox", "overdue", "audit_verify",
    "report", "case_list", "directory", "emergency_review", "person_search", "protocol_show",
    "consent_list", "disclosures", "timeline", "id_lookup", NULL,
};

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "hostile-requests", "");
}

static int ok_is_allowed(const char *kind)
{
    for (size_t i = 0; ok_allowed[i] != NULL; i++)
        if (strcmp(ok_allowed[i], kind) == 0)
            return 1;
    return 0;
}

/* Fills message's fields of shape (strings, numbers, singular submessages, depth-bound). */
static void fill(ProtobufCMessage *message, enum shape shape, int depth)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[i];
        if (field->label == PROTOBUF_C_LABEL_REPEATED)
            continue;
        void *at = (char *)message + field->offset;
        if (field->quantifier_offset != 0 && (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue; /* oneofs inside bodies: left unset */
        switch (field->type) {
        case PROTOBUF_C_TYPE_STRING:
            *(const char **)at = shape == SHAPE_UNKNOWN_IDS ? UNKNOWN_ID : NOT_AN_ID;
            break;
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_INT32:
            *(uint32_t *)at = 2000000000u;
            break;
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_INT64:
            *(uint64_t *)at = 9000000000000000000ull;
            break;
        case PROTOBUF_C_TYPE_MESSAGE:
            if (depth < 3) {
                const ProtobufCMessageDescriptor *inner = field->descriptor;
                ProtobufCMessage *sub = calloc(1, inner->sizeof_message);
                assert_non_null(sub);
                protobuf_c_message_init(inner, sub);
                fill(sub, shape, depth + 1);
                *(ProtobufCMessage **)at = sub;
            }
            break;
        default:
            break;
        }
    }
}

/* Frees what fill allocated (the submessages; the strings are constants). */
static void unfill(ProtobufCMessage *message)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[i];
        ProtobufCMessage **at = (ProtobufCMessage **)((char *)message + field->offset);
        if (field->type == PROTOBUF_C_TYPE_MESSAGE &&
            field->label != PROTOBUF_C_LABEL_REPEATED && *at != NULL) {
            unfill(*at);
            free(*at);
        }
    }
}

/* Sends kind's body of shape; asserts on the answer. 1 when it ended the session. */
static int send_one(struct spona_client *client, const ProtobufCFieldDescriptor *kind,
                    enum shape shape, const char *who)
{
    const ProtobufCMessageDescriptor *descriptor = kind->descriptor;
    ProtobufCMessage *body = calloc(1, descriptor->sizeof_message);
    assert_non_null(body);
    protobuf_c_message_init(descriptor, body);
    if (shape != SHAPE_EMPTY)
        fill(body, shape, 0);
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = (Spona__V1__Request__BodyCase)kind->id;
    *(ProtobufCMessage **)((char *)&request + kind->offset) = body;
    char err[256] = "";
    spona_response *response = spona_client_call(client, &request, err, sizeof(err));
    if (response == NULL)
        fail_msg("%s, %s (%s): no answer: %s", who, kind->name, shape_names[shape], err);
    spona_status status = response->status;
    if ((unsigned)status < sizeof(answered) / sizeof(answered[0]))
        answered[status]++;
    if (status == SPONA__V1__STATUS__INTERNAL || status == SPONA__V1__STATUS__UNAVAILABLE)
        fail_msg("%s, %s (%s): status %d: %s", who, kind->name, shape_names[shape], status,
                 response->message);
    if (status == SPONA__V1__STATUS__OK && !ok_is_allowed(kind->name))
        fail_msg("%s, %s (%s): a write of nothing answered OK: %s", who, kind->name,
                 shape_names[shape], response->message);
    if (status != SPONA__V1__STATUS__OK && response->message[0] == '\0')
        fail_msg("%s, %s (%s): a refusal without a reason", who, kind->name,
                 shape_names[shape]);
    envelope_free_response(response);
    unfill(body);
    free(body);
    return strcmp(kind->name, "logout") == 0 && status == SPONA__V1__STATUS__OK;
}

static void every_kind_as(const char *cert, const char *username)
{
    const ProtobufCMessageDescriptor *request = &spona__v1__request__descriptor;
    memset(answered, 0, sizeof(answered));
    for (enum shape shape = SHAPE_EMPTY; shape < SHAPE_COUNT; shape++) {
        struct spona_client *client = idata_login(&server, cert, username);
        for (unsigned i = 0; i < request->n_fields; i++) {
            const ProtobufCFieldDescriptor *kind = &request->fields[i];
            if (kind->type != PROTOBUF_C_TYPE_MESSAGE || strcmp(kind->name, "logout") == 0)
                continue;
            send_one(client, kind, shape, username);
        }
        spona_response *pong = itest_ping(client, "still here", 10);
        idata_expect(pong, SPONA__V1__STATUS__OK);
        envelope_free_response(pong);
        const ProtobufCFieldDescriptor *logout =
            protobuf_c_message_descriptor_get_field_by_name(request, "logout");
        assert_non_null(logout);
        send_one(client, logout, shape, username);
        spona_client_close(client);
    }
    itest_assert_served(&server);
    int total = 0;
    fprintf(stderr, "%s:", username);
    for (size_t i = 0; i < sizeof(answered) / sizeof(answered[0]); i++)
        if (answered[i] > 0) {
            fprintf(stderr, " %s %d", envelope_status_name((spona_status)i), answered[i]);
            total += answered[i];
        }
    fprintf(stderr, "\n");
    /* every kind of the descriptor in each shape (ping included) */
    assert_true(total >= 3 * 60);
}

static void test_lead_agency(void **state)
{
    (void)state;
    every_kind_as("csr", "ana");
}

static void test_employment_service(void **state)
{
    (void)state;
    every_kind_as("zzz", "zana");
}

static void test_ngo(void **state)
{
    (void)state;
    every_kind_as("ngo", "nada");
}

static void test_coordinator(void **state)
{
    (void)state;
    every_kind_as("grad", "goran");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lead_agency),
        cmocka_unit_test(test_employment_service),
        cmocka_unit_test(test_ngo),
        cmocka_unit_test(test_coordinator),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.hostile_requests", tests, group_setup,
                                       itest_group_teardown);
}
