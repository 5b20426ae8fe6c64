/*
 * Unit tests of the envelopes (common/envelope.c): a Request of every body
 * case (and none) packed into a frame and unpacked into the same message; a
 * Response likewise; bytes that are not a message come back as NULL; the names
 * used in logs and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "frame.h"

/* Packs, checks the frame header, unpacks the body. Caller frees the result. */
static spona_request *round_trip_request(const spona_request *request)
{
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    assert_int_equal(envelope_pack(&request->base, &frame, &frame_length), 0);
    assert_non_null(frame);
    assert_true(frame_length >= FRAME_HEADER_BYTES);
    uint32_t body_length = frame_get_length(frame);
    assert_int_equal(body_length, frame_length - FRAME_HEADER_BYTES);
    assert_int_equal(body_length, protobuf_c_message_get_packed_size(&request->base));
    spona_request *out = envelope_unpack_request(frame + FRAME_HEADER_BYTES, body_length);
    free(frame);
    assert_non_null(out);
    assert_int_equal(out->request_id, request->request_id);
    assert_int_equal(out->protocol_version, request->protocol_version);
    assert_int_equal(out->body_case, request->body_case);
    return out;
}

static void test_request_ping(void **state)
{
    static const uint8_t payload[] = {0x00, 0x01, 0xFF, 'p', 'i', 'n', 'g', 0x00};
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    ping.payload.data = (uint8_t *)(uintptr_t)payload;
    ping.payload.len = sizeof(payload);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = UINT64_C(0xFFFFFFFFFFFFFFF0);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;

    spona_request *out = round_trip_request(&request);
    assert_non_null(out->ping);
    assert_int_equal(out->ping->payload.len, sizeof(payload));
    assert_memory_equal(out->ping->payload.data, payload, sizeof(payload));
    envelope_free_request(out);
}

static void test_request_login(void **state)
{
    char username[] = "ana.testić";
    char password[] = "lozinka s razmacima i ćirilicom: Љубав";
    Spona__V1__LoginRequest login;
    spona__v1__login_request__init(&login);
    login.username = username;
    login.password = password;
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 2;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;

    spona_request *out = round_trip_request(&request);
    assert_non_null(out->login);
    assert_string_equal(out->login->username, username);
    assert_string_equal(out->login->password, password);
    envelope_free_request(out);
}

static void test_request_whoami(void **state)
{
    Spona__V1__WhoAmIRequest whoami;
    spona__v1__who_am_irequest__init(&whoami);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 3;
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_WHOAMI;
    request.whoami = &whoami;

    spona_request *out = round_trip_request(&request);
    /* an empty body message must still be present, or the case is lost */
    assert_non_null(out->whoami);
    envelope_free_request(out);
}

static void test_request_logout(void **state)
{
    Spona__V1__LogoutRequest logout;
    spona__v1__logout_request__init(&logout);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 4;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGOUT;
    request.logout = &logout;

    spona_request *out = round_trip_request(&request);
    assert_non_null(out->logout);
    envelope_free_request(out);
}

static void test_request_resume(void **state)
{
    char token[] = "c2Vzc2lvbi10b2tlbi0yNTYtYml0cy1vZi1yYW5kb21uZXNz";
    Spona__V1__ResumeRequest resume;
    spona__v1__resume_request__init(&resume);
    resume.session_token = token;
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 5;
    request.body_case = SPONA__V1__REQUEST__BODY_RESUME;
    request.resume = &resume;

    spona_request *out = round_trip_request(&request);
    assert_non_null(out->resume);
    assert_string_equal(out->resume->session_token, token);
    envelope_free_request(out);
}

static void test_request_without_body(void **state)
{
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 6;
    spona_request *out = round_trip_request(&request);
    assert_int_equal(out->body_case, SPONA__V1__REQUEST__BODY__NOT_SET);
    envelope_free_request(out);
}

static void test_response_whoami(void **state)
{
    char user[] = "ana", institution[] = "testgrad.csr", message[] = "";
    Spona__V1__WhoAmIResponse whoami;
    spona__v1__who_am_iresponse__init(&whoami);
    whoami.username = user;
    whoami.institution_code = institution;
    whoami.installation = institution;
    spona_response response;
    spona__v1__response__init(&response);
    response.request_id = 77;
    response.status = SPONA__V1__STATUS__OK;
    response.message = message;
    response.body_case = SPONA__V1__RESPONSE__BODY_WHOAMI;
    response.whoami = &whoami;

    uint8_t *frame = NULL;
    size_t frame_length = 0;
    assert_int_equal(envelope_pack(&response.base, &frame, &frame_length), 0);
    assert_int_equal(frame_get_length(frame), frame_length - FRAME_HEADER_BYTES);
    spona_response *out =
        envelope_unpack_response(frame + FRAME_HEADER_BYTES, frame_length - FRAME_HEADER_BYTES);
    free(frame);
    assert_non_null(out);
    assert_int_equal(out->request_id, 77);
    assert_int_equal(out->status, SPONA__V1__STATUS__OK);
    assert_int_equal(out->body_case, SPONA__V1__RESPONSE__BODY_WHOAMI);
    assert_string_equal(out->whoami->username, "ana");
    assert_string_equal(out->whoami->institution_code, "testgrad.csr");
    assert_string_equal(out->whoami->installation, "testgrad.csr");
    envelope_free_response(out);
}

static void test_response_error(void **state)
{
    char message[] = "login failed: wrong username or password, or the account is "
                     "temporarily locked";
    spona_response response;
    spona__v1__response__init(&response);
    response.request_id = 0;
    response.status = SPONA__V1__STATUS__UNAUTHENTICATED;
    response.message = message;

    uint8_t *frame = NULL;
    size_t frame_length = 0;
    assert_int_equal(envelope_pack(&response.base, &frame, &frame_length), 0);
    spona_response *out =
        envelope_unpack_response(frame + FRAME_HEADER_BYTES, frame_length - FRAME_HEADER_BYTES);
    free(frame);
    assert_non_null(out);
    assert_int_equal(out->request_id, 0);
    assert_int_equal(out->status, SPONA__V1__STATUS__UNAUTHENTICATED);
    assert_string_equal(out->message, message);
    assert_int_equal(out->body_case, SPONA__V1__RESPONSE__BODY__NOT_SET);
    envelope_free_response(out);
}

static void test_pack_empty_message(void **state)
{
    /* a message with nothing set packs to zero bytes: a frame of header only */
    Spona__V1__WhoAmIRequest whoami;
    spona__v1__who_am_irequest__init(&whoami);
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    assert_int_equal(envelope_pack(&whoami.base, &frame, &frame_length), 0);
    assert_non_null(frame);
    assert_int_equal(frame_length, FRAME_HEADER_BYTES);
    assert_int_equal(frame_get_length(frame), 0);
    free(frame);
}

static void test_unpack_garbage(void **state)
{
    static const struct {
        const char *what;
        const uint8_t bytes[16];
        size_t length;
    } cases[] = {
        {"all ones", {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 8},
        {"length-delimited field longer than the data", {0x52, 0x7F, 0x0A, 0x01}, 4},
        {"truncated varint", {0x08, 0x80}, 2},
        {"end-group tag without start", {0x0C}, 1},
        {"field number zero", {0x00, 0x01}, 2},
        {"request_id with the wrong wire type", {0x0A, 0x01, 0x01}, 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        spona_request *request = envelope_unpack_request(cases[i].bytes, cases[i].length);
        if (request != NULL) {
            envelope_free_request(request);
            fail_msg("garbage '%s' unpacked as a Request", cases[i].what);
        }
        spona_response *response = envelope_unpack_response(cases[i].bytes, cases[i].length);
        if (response != NULL) {
            envelope_free_response(response);
            fail_msg("garbage '%s' unpacked as a Response", cases[i].what);
        }
    }
}

static void test_unpack_truncated_message(void **state)
{
    char username[] = "someone";
    char password[] = "something";
    Spona__V1__LoginRequest login;
    spona__v1__login_request__init(&login);
    login.username = username;
    login.password = password;
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 9;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    assert_int_equal(envelope_pack(&request.base, &frame, &frame_length), 0);
    /* cut inside the nested login message */
    spona_request *out =
        envelope_unpack_request(frame + FRAME_HEADER_BYTES, frame_length - FRAME_HEADER_BYTES - 3);
    free(frame);
    if (out != NULL) {
        envelope_free_request(out);
        fail_msg("a truncated Request unpacked");
    }
}

static void test_free_null(void **state)
{
    envelope_free_request(NULL);
    envelope_free_response(NULL);
}

static void test_status_names(void **state)
{
    static const struct {
        spona_status status;
        const char *name;
    } names[] = {
        {SPONA__V1__STATUS__OK, "OK"},
        {SPONA__V1__STATUS__INVALID_ARGUMENT, "INVALID_ARGUMENT"},
        {SPONA__V1__STATUS__UNAUTHENTICATED, "UNAUTHENTICATED"},
        {SPONA__V1__STATUS__PERMISSION_DENIED, "PERMISSION_DENIED"},
        {SPONA__V1__STATUS__NOT_FOUND, "NOT_FOUND"},
        {SPONA__V1__STATUS__CONFLICT, "CONFLICT"},
        {SPONA__V1__STATUS__UNAVAILABLE, "UNAVAILABLE"},
        {SPONA__V1__STATUS__INTERNAL, "INTERNAL"},
        {SPONA__V1__STATUS__RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"},
        {SPONA__V1__STATUS__FAILED_PRECONDITION, "FAILED_PRECONDITION"},
        {SPONA__V1__STATUS__STATUS_UNSPECIFIED, "STATUS_UNSPECIFIED"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_string_equal(envelope_status_name(names[i].status), names[i].name);

    /* a value the enum does not know still gets a name, and not a real one */
    const char *unknown = envelope_status_name((spona_status)99);
    assert_non_null(unknown);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_string_not_equal(unknown, names[i].name);
    assert_non_null(envelope_status_name((spona_status)-1));
}

static void test_body_names(void **state)
{
    assert_string_equal(envelope_body_name(SPONA__V1__REQUEST__BODY__NOT_SET), "none");
    assert_string_equal(envelope_body_name(SPONA__V1__REQUEST__BODY_PING), "ping");
    assert_string_equal(envelope_body_name(SPONA__V1__REQUEST__BODY_LOGIN), "login");
    assert_string_equal(envelope_body_name(SPONA__V1__REQUEST__BODY_WHOAMI), "whoami");
    assert_string_equal(envelope_body_name(SPONA__V1__REQUEST__BODY_LOGOUT), "logout");
    assert_string_equal(envelope_body_name(SPONA__V1__REQUEST__BODY_RESUME), "resume");
    assert_string_equal(envelope_body_name(99), "unknown");
    assert_string_equal(envelope_body_name(-5), "unknown");
}

/* Field numbers 1 and 2 are request_id and protocol_version: not body cases. */
static void test_body_names_of_non_body_fields(void **state)
{
    assert_string_equal(envelope_body_name(1), "unknown");
    assert_string_equal(envelope_body_name(2), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_ping),
        cmocka_unit_test(test_request_login),
        cmocka_unit_test(test_request_whoami),
        cmocka_unit_test(test_request_logout),
        cmocka_unit_test(test_request_resume),
        cmocka_unit_test(test_request_without_body),
        cmocka_unit_test(test_response_whoami),
        cmocka_unit_test(test_response_error),
        cmocka_unit_test(test_pack_empty_message),
        cmocka_unit_test(test_unpack_garbage),
        cmocka_unit_test(test_unpack_truncated_message),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_body_names),
        cmocka_unit_test(test_body_names_of_non_body_fields),
    };
    return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
