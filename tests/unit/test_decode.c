/*
 * Unit test of decode.c: the text check, the wire walk (strings, repeated caps,
 * depth, structure), the budgeted allocator and decode_request's verdicts.
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

struct wire {
    uint8_t bytes[1 << 17];
    size_t length;
};

static void put_varint(struct wire *wire, uint64_t value)
{
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
    memcpy(wire->bytes + wire->length, bytes, length);
    wire->length += length;
}

static uint32_t field_id(const ProtobufCMessageDescriptor *descriptor, const char *name)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name(descriptor, name);
    assert_non_null(field);
    return field->id;
}

/* A Request with id 7 whose login carries the given password bytes. */
static void login_with_password(struct wire *request, const void *password, size_t length)
{
    struct wire login = {.length = 0};
    put_bytes(&login, field_id(&spona__v1__login_request__descriptor, "username"), "ana", 3);
    put_bytes(&login, field_id(&spona__v1__login_request__descriptor, "password"), password,
              length);
    request->length = 0;
    put_varint(request, 1 << 3);
    put_varint(request, 7);
    put_bytes(request, field_id(&spona__v1__request__descriptor, "login"), login.bytes,
              login.length);
}

static void test_text(void **state)
{
    assert_true(decode_valid_text((const uint8_t *)"", 0));
    const char *text = "Šabac, Бања Лука €𝄞";
    assert_true(decode_valid_text((const uint8_t *)text, strlen(text)));
    assert_false(decode_valid_text((const uint8_t *)"a\0b", 3));
    assert_false(decode_valid_text((const uint8_t *)"\xC0\x80", 2));         /* overlong NUL */
    assert_false(decode_valid_text((const uint8_t *)"\xE0\x80\xAF", 3));     /* overlong */
    assert_false(decode_valid_text((const uint8_t *)"\xED\xA0\x80", 3));     /* surrogate */
    assert_false(decode_valid_text((const uint8_t *)"\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(decode_valid_text((const uint8_t *)"\xC5", 1));             /* truncated */
    assert_false(decode_valid_text((const uint8_t *)"\xFF", 1));
    assert_false(decode_valid_text((const uint8_t *)"a\x80", 2));
    char cut[] = "Бања\xD0"; /* a message truncated in the middle of a character */
    decode_cut_to_text(cut);
    assert_string_equal(cut, "Бања");
}

static void test_strings_named(void **state)
{
    static struct wire request;
    struct decode_result result;
    login_with_password(&request, "secret", 6);
    assert_int_equal(decode_request(request.bytes, request.length, &result), DECODE_OK);
    assert_string_equal(result.request->login->password, "secret");
    assert_true(result.cost > 0);
    envelope_free_request(result.request);

    login_with_password(&request, "sec\0ret", 7);
    assert_int_equal(decode_request(request.bytes, request.length, &result), DECODE_REFUSED);
    assert_int_equal(result.status, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_int_equal(result.request_id, 7);
    assert_string_equal(result.message, "field login.password contains a NUL byte");

    login_with_password(&request, "sec\xE9ret", 7);
    assert_int_equal(decode_request(request.bytes, request.length, &result), DECODE_REFUSED);
    assert_string_equal(result.message, "field login.password is not valid UTF-8");
    assert_null(strstr(result.message, "sec"));
}

/* A Request with id 9 whose plan_change holds n measures with a short description. */
static void plan_change_with_measures(struct wire *request, unsigned n)
{
    static struct wire change;
    struct wire measure = {.length = 0};
    put_bytes(&measure, field_id(&spona__v1__plan_measure__descriptor, "description"),
              "job search support, twice a week", 32);
    uint32_t measures = field_id(&spona__v1__plan_change_request__descriptor, "add_measures");
    change.length = 0;
    for (unsigned k = 0; k < n; k++)
        put_bytes(&change, measures, measure.bytes, measure.length);
    request->length = 0;
    put_varint(request, 1 << 3);
    put_varint(request, 9);
    put_bytes(request, field_id(&spona__v1__request__descriptor, "plan_change"), change.bytes,
              change.length);
}

static void test_repeated_capped(void **state)
{
    static struct wire request;
    struct decode_result result;
    plan_change_with_measures(&request, DECODE_MAX_REPEATED); /* the cap itself is allowed */
    if (decode_request(request.bytes, request.length, &result) != DECODE_OK)
        fail_msg("refused: %s", result.message);
    assert_int_equal(result.request->plan_change->n_add_measures, DECODE_MAX_REPEATED);
    envelope_free_request(result.request);
    plan_change_with_measures(&request, DECODE_MAX_REPEATED + 1);
    assert_int_equal(decode_request(request.bytes, request.length, &result), DECODE_REFUSED);
    assert_int_equal(result.status, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_string_equal(result.message,
                        "field plan_change.add_measures has more than 1000 elements");
}

static void test_packed_counted(void **state)
{
    static struct wire wire;
    uint8_t packed[1200];
    memset(packed, 1, sizeof(packed)); /* 1200 one-byte varints */
    wire.length = 0;
    put_bytes(&wire, field_id(&spona__v1__protocol_show_response__descriptor, "versions"), packed,
              sizeof(packed));
    char message[200];
    assert_int_equal(decode_check_wire(&spona__v1__protocol_show_response__descriptor, wire.bytes,
                                       wire.length, message, sizeof(message)),
                     DECODE_REFUSED);
    assert_string_equal(message, "field versions has more than 1000 elements");
}

static void test_malformed_and_id_zero(void **state)
{
    struct decode_result result;
    static const uint8_t garbage[] = {0x0A, 0x10, 0x01}; /* length past the end */
    assert_int_equal(decode_request(garbage, sizeof(garbage), &result), DECODE_MALFORMED);
    static const uint8_t group[] = {0x08, 0x01, 0x63}; /* a start-group tag */
    assert_int_equal(decode_request(group, sizeof(group), &result), DECODE_MALFORMED);
    static const uint8_t no_id[] = {0x52, 0x00}; /* ping {} without an id */
    assert_int_equal(decode_request(no_id, sizeof(no_id), &result), DECODE_MALFORMED);
    assert_int_equal(result.status, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_string_equal(result.message, "request id 0 is reserved for connection-level errors");
}

static void test_budget(void **state)
{
    static struct wire wire;
    wire.length = 0;
    put_varint(&wire, 1 << 3);
    put_varint(&wire, 3);
    while (wire.length + 3 < 16384) { /* unknown field 99, varint 1: kept by protobuf-c */
        put_varint(&wire, 99 << 3);
        put_varint(&wire, 1);
    }
    struct decode_result result;
    assert_int_equal(decode_request(wire.bytes, wire.length, &result), DECODE_REFUSED);
    assert_int_equal(result.status, SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    assert_int_equal(result.request_id, 3);
    assert_non_null(strstr(result.message, "would take more than"));

    int exhausted = 0;
    size_t cost = 0;
    ProtobufCMessage *message = decode_unpack_budgeted(&spona__v1__request__descriptor,
                                                       wire.bytes, wire.length, 64u << 20,
                                                       &exhausted, &cost);
    assert_non_null(message); /* with room enough it decodes, and says what it costs */
    assert_false(exhausted);
    assert_true(cost > DECODE_BUDGET_FACTOR * wire.length + DECODE_BUDGET_EXTRA);
    protobuf_c_message_free_unpacked(message, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_strings_named),
        cmocka_unit_test(test_repeated_capped),
        cmocka_unit_test(test_packed_counted),
        cmocka_unit_test(test_malformed_and_id_zero),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
