/*
 * Integration test: frames written to hurt the server (docs/protocol.md,
 * "Limits" and "Valid strings"). A frame of empty repeated submessages or of
 * unknown fields is refused without the server's memory growing with it; a
 * frame larger than the limit before login is refused; every string field of
 * every request kind, found by walking the descriptors, is refused when it
 * holds invalid UTF-8 or a NUL byte, and the answer names the field and never
 * repeats the bytes; request id 0 and an unknown kind get their documented
 * answers; a connection that holds too much is refused requests and stays usable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "frame.h"
#include "idata.h"
#include "itest.h"

#define BIG_FRAME_BYTES (1024u * 1024u)
#define PATH_DEPTH 6

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
#if defined(__SANITIZE_ADDRESS__)
    /* ASan keeps freed memory resident in its quarantine (256 MB by default), which
       would hide what the server itself holds: keep it small for this server */
    char options[1024];
    const char *given = getenv("ASAN_OPTIONS");
    snprintf(options, sizeof(options), "%s%squarantine_size_mb=4", given != NULL ? given : "",
             given != NULL && given[0] != '\0' ? ":" : "");
    setenv("ASAN_OPTIONS", options, 1);
#endif
    return itest_server_start(&server, "hostile",
                              "[server]\nmax_frame_bytes = 1048576\n"
                              "max_frame_bytes_before_login = 16384\n"
                              "max_connection_bytes = 65536\n");
}

/* A growable buffer of wire bytes. */
struct wire {
    uint8_t *bytes;
    size_t length, capacity;
};

static void wire_reserve(struct wire *wire, size_t more)
{
    if (wire->length + more <= wire->capacity)
        return;
    wire->capacity = (wire->length + more) * 2;
    wire->bytes = realloc(wire->bytes, wire->capacity);
    assert_non_null(wire->bytes);
}

static void put_varint(struct wire *wire, uint64_t value)
{
    wire_reserve(wire, 10);
    do {
        uint8_t byte = value & 0x7F;
        value >>= 7;
        wire->bytes[wire->length++] = byte | (value != 0 ? 0x80 : 0);
    } while (value != 0);
}

static void put_bytes(struct wire *wire, uint32_t number, const void *bytes, size_t length)
{
    put_varint(wire, (uint64_t)number << 3 | 2);
    put_varint(wire, length);
    wire_reserve(wire, length);
    if (length > 0)
        memcpy(wire->bytes + wire->length, bytes, length);
    wire->length += length;
}

/* Appends a frame: the header, request_id, then body (the rest of a Request's fields). */
static void put_frame(struct wire *out, uint64_t request_id, const struct wire *body)
{
    struct wire request = {0};
    put_varint(&request, 1 << 3);
    put_varint(&request, request_id);
    wire_reserve(&request, body->length);
    memcpy(request.bytes + request.length, body->bytes, body->length);
    request.length += body->length;
    wire_reserve(out, FRAME_HEADER_BYTES + request.length);
    frame_put_length(out->bytes + out->length, (uint32_t)request.length);
    memcpy(out->bytes + out->length + FRAME_HEADER_BYTES, request.bytes, request.length);
    out->length += FRAME_HEADER_BYTES + request.length;
    free(request.bytes);
}

static uint32_t field_id(const ProtobufCMessageDescriptor *descriptor, const char *name)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name(descriptor, name);
    assert_non_null(field);
    return field->id;
}

static void send_all(struct spona_client *client, const struct wire *wire)
{
    char err[256] = "";
    if (spona_client_send_raw(client, wire->bytes, wire->length, err, sizeof(err)) != 0)
        fail_msg("sending %zu bytes failed: %s", wire->length, err);
}

static void assert_ping_works(struct spona_client *client)
{
    spona_response *response = itest_ping(client, "ok?", 3);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(response);
}

/* Receives one answer and checks its id, status and message (NULL: any message). */
static void expect(struct spona_client *client, uint64_t request_id, spona_status status,
                   const char *message)
{
    spona_response *response = itest_receive(client);
    itest_assert_status(response, request_id, status);
    if (message != NULL && strcmp(response->message, message) != 0)
        fail_msg("request %llu: message '%s', expected '%s'", (unsigned long long)request_id,
                 response->message, message);
    envelope_free_response(response);
}

/* The server's resident memory in kB (VmRSS of /proc/PID/status). */
static long server_rss_kb(void)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)server.pid);
    FILE *status = fopen(path, "r");
    assert_non_null(status);
    long kb = -1;
    while (fgets(line, sizeof(line), status) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(status);
    assert_true(kb > 0);
    return kb;
}

/* Request body: plan_change holding empty add_measures, filling a frame of `bytes`. */
static void plan_change_of_empty_measures(struct wire *body, size_t bytes)
{
    struct wire change = {0};
    uint32_t measures = field_id(&spona__v1__plan_change_request__descriptor, "add_measures");
    while (change.length + 2 + 16 < bytes)
        put_bytes(&change, measures, "", 0);
    body->length = 0;
    put_bytes(body, field_id(&spona__v1__request__descriptor, "plan_change"), change.bytes,
              change.length);
    free(change.bytes);
}

/* Request body: unknown field 99 (varint 1) repeated to fill a frame of `bytes`. */
static void unknown_fields(struct wire *body, size_t bytes)
{
    body->length = 0;
    while (body->length + 3 + 16 < bytes) {
        put_varint(body, 99 << 3);
        put_varint(body, 1);
    }
}

static void test_big_frame_before_login(void **state)
{
    struct wire body = {0}, frames = {0};
    plan_change_of_empty_measures(&body, BIG_FRAME_BYTES);
    put_frame(&frames, 1, &body);
    struct spona_client *client = itest_connect_ok(&server, "csr");
    send_all(client, &frames);
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    assert_non_null(strstr(response->message, "exceeds the limit of 16384 before login"));
    envelope_free_response(response);
    itest_assert_closed(client);
    spona_client_close(client);
    free(body.bytes);
    free(frames.bytes);
    itest_assert_served(&server);
}

static void test_login_then_big_frame_in_one_write(void **state)
{
    /* the second frame is over the limit before login, but the login before it is
       still running when it arrives: the server waits for the login to decide */
    spona_request login_request;
    Spona__V1__LoginRequest login;
    spona__v1__request__init(&login_request);
    spona__v1__login_request__init(&login);
    char password[128];
    itest_password("bojan", password, sizeof(password));
    login.username = "bojan";
    login.password = password;
    login_request.request_id = 1;
    login_request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    login_request.login = &login;
    uint8_t *bytes = NULL;
    size_t length = 0;
    itest_append_frame(&bytes, &length, &login_request);
    struct wire frames = {bytes, length, length}, body = {0};
    unknown_fields(&body, 30000);
    put_frame(&frames, 2, &body);
    struct spona_client *client = itest_connect_ok(&server, "csr");
    send_all(client, &frames);
    expect(client, 1, SPONA__V1__STATUS__OK, NULL);
    expect(client, 2, SPONA__V1__STATUS__RESOURCE_EXHAUSTED, NULL);
    assert_ping_works(client);
    spona_client_close(client);
    free(body.bytes);
    free(frames.bytes);
}

/* 24 frames of 1 MiB each of the two amplifying kinds, refused; memory stays bounded. */
static void test_amplification_bounded(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    free(itest_login_ok(client, "bojan"));
    long before = server_rss_kb();
    struct wire measures = {0}, unknown = {0}, frame = {0};
    plan_change_of_empty_measures(&measures, BIG_FRAME_BYTES);
    unknown_fields(&unknown, BIG_FRAME_BYTES);
    for (uint64_t id = 100; id < 124; id++) { /* all sent before any answer is read */
        frame.length = 0;
        put_frame(&frame, id, id % 2 == 0 ? &measures : &unknown);
        assert_true(frame.length <= FRAME_HEADER_BYTES + BIG_FRAME_BYTES);
        send_all(client, &frame);
    }
    for (uint64_t id = 100; id < 124; id++)
        if (id % 2 == 0)
            expect(client, id, SPONA__V1__STATUS__INVALID_ARGUMENT,
                   "field plan_change.add_measures has more than 1000 elements");
        else
            expect(client, id, SPONA__V1__STATUS__RESOURCE_EXHAUSTED, NULL);
    long after = server_rss_kb();
    print_message("server RSS %ld kB before, %ld kB after 24 frames of 1 MiB\n", before, after);
    assert_true(after - before < 64L * 1024);
    assert_ping_works(client); /* usable after RESOURCE_EXHAUSTED */
    spona_client_close(client);
    free(measures.bytes);
    free(unknown.bytes);
    free(frame.bytes);
}

/* The string fields reachable from a message, as paths of field descriptors. */
struct string_field {
    const ProtobufCFieldDescriptor *path[PATH_DEPTH];
    int depth;
};

struct string_fields {
    struct string_field *items;
    size_t count, capacity;
};

static void collect(struct string_fields *found, const ProtobufCMessageDescriptor *descriptor,
                    struct string_field *path)
{
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[i];
        path->path[path->depth] = field;
        if (field->type == PROTOBUF_C_TYPE_STRING) {
            if (found->count == found->capacity) {
                found->capacity = found->capacity * 2 + 64;
                found->items = realloc(found->items, found->capacity * sizeof(*found->items));
                assert_non_null(found->items);
            }
            found->items[found->count] = *path;
            found->items[found->count++].depth = path->depth + 1;
        } else if (field->type == PROTOBUF_C_TYPE_MESSAGE && path->depth + 1 < PATH_DEPTH) {
            int seen = 0; /* a message type already on the path: do not loop */
            for (int k = 0; k < path->depth; k++)
                seen |= path->path[k]->descriptor == field->descriptor;
            if (!seen) {
                path->depth++;
                collect(found, field->descriptor, path);
                path->depth--;
            }
        }
    }
}

/* Ids that make a request get past its subject check (NULL: none). */
struct sibling_ids {
    const char *case_id, *person_id;
};

/*
 * The body of a Request whose string at the field's path is `bytes`; with ids, the
 * case_id and person_id fields beside it hold them.
 */
static void body_with_string_and_ids(struct wire *body, const struct string_field *field,
                                     const char *bytes, size_t length,
                                     const struct sibling_ids *ids)
{
    struct wire inner = {0}, outer = {0};
    const ProtobufCFieldDescriptor *leaf = field->path[field->depth - 1];
    put_bytes(&inner, leaf->id, bytes, length);
    if (ids != NULL && field->depth >= 2) {
        const ProtobufCMessageDescriptor *holder = field->path[field->depth - 2]->descriptor;
        for (unsigned i = 0; i < holder->n_fields; i++) {
            const ProtobufCFieldDescriptor *sibling = &holder->fields[i];
            const char *id = strcmp(sibling->name, "case_id") == 0     ? ids->case_id
                             : strcmp(sibling->name, "person_id") == 0 ? ids->person_id
                                                                       : NULL;
            if (sibling != leaf && sibling->type == PROTOBUF_C_TYPE_STRING && id != NULL)
                put_bytes(&inner, sibling->id, id, strlen(id));
        }
    }
    for (int k = field->depth - 2; k >= 0; k--) {
        outer.length = 0;
        put_bytes(&outer, field->path[k]->id, inner.bytes, inner.length);
        struct wire swap = inner;
        inner = outer;
        outer = swap;
    }
    body->length = 0;
    wire_reserve(body, inner.length);
    memcpy(body->bytes, inner.bytes, inner.length);
    body->length = inner.length;
    free(inner.bytes);
    free(outer.bytes);
}

/* The body of a Request whose only string is `bytes` at the field's path. */
static void body_with_string(struct wire *body, const struct string_field *field,
                             const char *bytes, size_t length)
{
    body_with_string_and_ids(body, field, bytes, length, NULL);
}

static void field_name(const struct string_field *field, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; k < field->depth && used < out_size; k++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", k > 0 ? "." : "",
                                 field->path[k]->name);
}

static void test_every_string_field(void **state)
{
    struct string_fields found = {0};
    struct string_field path = {.depth = 0};
    collect(&found, &spona__v1__request__descriptor, &path);
    print_message("%zu string fields reachable from a Request\n", found.count);
    assert_true(found.count > 100);
    static const struct {
        const char *bytes;
        size_t length;
        const char *what;
    } bad[] = {{"ab\0cd", 5, "contains a NUL byte"}, {"ab\xC3\x28\xFF" "cd", 7, "is not valid UTF-8"}};
    struct spona_client *client = itest_connect_ok(&server, "csr");
    struct wire body = {0}, frames = {0};
    const size_t batch = 32;
    for (size_t first = 0; first < found.count; first += batch) {
        size_t last = first + batch < found.count ? first + batch : found.count;
        frames.length = 0;
        for (size_t i = first; i < last; i++)
            for (unsigned b = 0; b < 2; b++) {
                body_with_string(&body, &found.items[i], bad[b].bytes, bad[b].length);
                put_frame(&frames, 1000 + 2 * i + b, &body);
            }
        send_all(client, &frames);
        for (size_t i = first; i < last; i++)
            for (unsigned b = 0; b < 2; b++) {
                char name[256], message[400];
                field_name(&found.items[i], name, sizeof(name));
                snprintf(message, sizeof(message), "field %s %s", name, bad[b].what);
                spona_response *response = itest_receive(client);
                itest_assert_status(response, 1000 + 2 * i + b,
                                    SPONA__V1__STATUS__INVALID_ARGUMENT);
                if (strcmp(response->message, message) != 0)
                    fail_msg("'%s', expected '%s'", response->message, message);
                assert_true(decode_valid_text((const uint8_t *)response->message,
                                              strlen(response->message)));
                envelope_free_response(response);
            }
    }
    assert_ping_works(client);
    spona_client_close(client);
    free(found.items);
    free(body.bytes);
    free(frames.bytes);
}

/*
 * No answer repeats what the client sent: every string field of every request kind,
 * one at a time, holds a marker (valid text, the kind's other fields empty); whatever
 * the answer, its message must not contain the marker.
 */
static void test_no_echo(void **state)
{
    static const char marker[] = "Qz7echoMark";
    struct string_fields found = {0};
    struct string_field path = {.depth = 0};
    collect(&found, &spona__v1__request__descriptor, &path);
    struct spona_client *client = itest_connect_ok(&server, "csr");
    free(itest_login_ok(client, "bojan"));
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Eho", "last_name", "Provjerić", "jmbg", jmbg, NULL};
    char *person_id = idata_person_create_ok(client, pairs);
    char *case_id = idata_case_open_ok(client, person_id);
    const struct sibling_ids real = {case_id, person_id};
    struct wire body = {0}, frames = {0};
    size_t echoed = 0;
    for (size_t n = 0; n < 2 * found.count; n++) {
        size_t i = n % found.count; /* first alone, then beside real ids */
        char name[256];
        field_name(&found.items[i], name, sizeof(name));
        /* login and resume would replace this connection's session: they answer one
           fixed text whatever is sent (integration.login) */
        if (strncmp(name, "login.", 6) == 0 || strncmp(name, "resume.", 7) == 0)
            continue;
        body_with_string_and_ids(&body, &found.items[i], marker, sizeof(marker) - 1,
                                 n < found.count ? NULL : &real);
        frames.length = 0;
        put_frame(&frames, 5000 + n, &body);
        send_all(client, &frames);
        spona_response *response = itest_receive(client);
        assert_int_equal(response->request_id, 5000 + n);
        if (strstr(response->message, marker) != NULL) {
            print_error("field %s: answer repeats it: '%s'\n", name, response->message);
            echoed++;
        }
        envelope_free_response(response);
    }
    assert_int_equal(echoed, 0);
    assert_ping_works(client);
    spona_client_close(client);
    free(person_id);
    free(case_id);
    free(found.items);
    free(body.bytes);
    free(frames.bytes);
}

static void test_request_id_zero(void **state)
{
    struct wire frame = {0}, body = {0};
    put_bytes(&body, field_id(&spona__v1__request__descriptor, "ping"), "", 0);
    wire_reserve(&frame, FRAME_HEADER_BYTES + body.length);
    frame_put_length(frame.bytes, (uint32_t)body.length);
    memcpy(frame.bytes + FRAME_HEADER_BYTES, body.bytes, body.length);
    frame.length = FRAME_HEADER_BYTES + body.length;
    struct spona_client *client = itest_connect_ok(&server, "csr");
    send_all(client, &frame);
    expect(client, 0, SPONA__V1__STATUS__INVALID_ARGUMENT,
           "request id 0 is reserved for connection-level errors");
    itest_assert_closed(client);
    spona_client_close(client);
    free(frame.bytes);
    free(body.bytes);
    itest_assert_served(&server);
}

static void test_unknown_kind(void **state)
{
    struct wire frame = {0}, body = {0};
    put_bytes(&body, 999, "", 0);
    put_frame(&frame, 77, &body);
    struct spona_client *client = itest_connect_ok(&server, "csr");
    send_all(client, &frame);
    expect(client, 77, SPONA__V1__STATUS__INVALID_ARGUMENT, "unknown request kind 999");
    assert_ping_works(client);
    spona_client_close(client);
    free(frame.bytes);
    free(body.bytes);
}

/* One burst on a new connection: how many pings were refused for the budget. */
static int connection_budget_burst(void)
{
    /* a login (it goes to a worker) and then 120 pings of 1000 bytes behind it, in one
       write: the pings wait for the login, and what they hold passes 64 KiB. The user
       "spora" has a costly password hash (scrypt N = 2^15, tests/harness/pg.sh) and no
       other test logs in as her, so the login is still running when the pings arrive. */
    struct spona_client *client = itest_connect_ok(&server, "csr");
    uint8_t payload[1000];
    memset(payload, 'p', sizeof(payload));
    spona_request request;
    Spona__V1__LoginRequest login;
    spona__v1__request__init(&request);
    spona__v1__login_request__init(&login);
    char password[128];
    itest_password("spora", password, sizeof(password));
    login.username = "spora";
    login.password = password;
    request.request_id = 1;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    uint8_t *bytes = NULL;
    size_t length = 0;
    itest_append_frame(&bytes, &length, &request);
    struct wire frames = {bytes, length, length}, body = {0};
    struct wire ping = {0};
    put_bytes(&ping, field_id(&spona__v1__ping_request__descriptor, "payload"), payload,
              sizeof(payload));
    put_bytes(&body, field_id(&spona__v1__request__descriptor, "ping"), ping.bytes, ping.length);
    for (uint64_t id = 2; id < 122; id++)
        put_frame(&frames, id, &body);
    send_all(client, &frames);
    int exhausted = 0;
    for (int i = 0; i < 121; i++) {
        spona_response *response = itest_receive(client);
        if (response->request_id == 1)
            itest_assert_status(response, 1, SPONA__V1__STATUS__OK);
        if (response->status == SPONA__V1__STATUS__RESOURCE_EXHAUSTED) {
            exhausted++;
            assert_non_null(strstr(response->message, "holds too many unanswered requests"));
        }
        envelope_free_response(response);
    }
    print_message("%d of 120 pings refused for the connection's budget\n", exhausted);
    assert_ping_works(client);
    spona_client_close(client);
    free(frames.bytes);
    free(body.bytes);
    free(ping.bytes);
    return exhausted;
}

static void test_connection_budget(void **state)
{
    (void)state;
    /* the pings are held only while the login runs: on a loaded machine the login may
       finish before they are read, so a burst may hold nothing; three bursts, one must
       be refused in part (and every refusal above named the budget) */
    int exhausted = 0;
    for (int attempt = 0; attempt < 3 && exhausted == 0; attempt++)
        exhausted = connection_budget_burst();
    assert_true(exhausted > 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big_frame_before_login),
        cmocka_unit_test(test_login_then_big_frame_in_one_write),
        cmocka_unit_test(test_amplification_bounded),
        cmocka_unit_test(test_every_string_field),
        cmocka_unit_test(test_no_echo),
        cmocka_unit_test(test_request_id_zero),
        cmocka_unit_test(test_unknown_kind),
        cmocka_unit_test(test_connection_budget),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.hostile_frames", tests, group_setup,
                                       itest_group_teardown);
}
