/*
 * The checks shared by the Request fuzzers (see fuzz_check.h). Walks decoded
 * messages by their descriptors, as protobuf-c lays them out in memory.
 */
#include "fuzz_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

void fuzz_assert(int condition, const char *what, const char *file, int line)
{
    if (condition)
        return;
    fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort();
}

static int text_valid(const char *text)
{
    return text == NULL || decode_valid_text((const uint8_t *)text, strlen(text));
}

/* The field's values: one pointer for a singular field, an array for a repeated one. */
static int field_strings_valid(const ProtobufCMessage *message,
                               const ProtobufCFieldDescriptor *field)
{
    const char *base = (const char *)message;
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t chosen = *(const uint32_t *)(const void *)(base + field->quantifier_offset);
        if (chosen != field->id)
            return 1;
    }
    size_t count = 1;
    const void *const *values = (const void *const *)(const void *)(base + field->offset);
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        count = *(const size_t *)(const void *)(base + field->quantifier_offset);
        values = *(const void *const *const *)(const void *)(base + field->offset);
    }
    for (size_t i = 0; i < count; i++) {
        if (field->type == PROTOBUF_C_TYPE_STRING && !text_valid(values[i]))
            return 0;
        if (field->type == PROTOBUF_C_TYPE_MESSAGE && values[i] != NULL &&
            !fuzz_strings_valid(values[i]))
            return 0;
    }
    return 1;
}

int fuzz_strings_valid(const ProtobufCMessage *message)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[i];
        if ((field->type == PROTOBUF_C_TYPE_STRING || field->type == PROTOBUF_C_TYPE_MESSAGE) &&
            !field_strings_valid(message, field))
            return 0;
    }
    return 1;
}

/* A decoded request packs into bytes that decode again, to the same kind. */
static void check_round_trip(const spona_request *request)
{
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    FUZZ_ASSERT(envelope_pack(&request->base, &frame, &frame_length) == 0);
    struct decode_result again;
    enum decode_outcome outcome =
        decode_request(frame + FRAME_HEADER_BYTES, frame_length - FRAME_HEADER_BYTES, &again);
    /* packing drops repeats of a singular field: fewer bytes, the same cost, so the
     * smaller frame's budget may be too small; nothing else may differ */
    if (outcome == DECODE_REFUSED && again.status == SPONA__V1__STATUS__RESOURCE_EXHAUSTED) {
        free(frame);
        return;
    }
    FUZZ_ASSERT(outcome == DECODE_OK);
    FUZZ_ASSERT(again.request->body_case == request->body_case);
    FUZZ_ASSERT(again.request_id == request->request_id);
    envelope_free_request(again.request);
    free(frame);
}

/* A refusal: a status the protocol names for it, and a message fit to send. */
static void check_refusal(const struct decode_result *result)
{
    FUZZ_ASSERT(result->request == NULL);
    FUZZ_ASSERT(result->status == SPONA__V1__STATUS__INVALID_ARGUMENT ||
                result->status == SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    FUZZ_ASSERT(memchr(result->message, 0, sizeof(result->message)) != NULL);
    FUZZ_ASSERT(result->message[0] != '\0');
    FUZZ_ASSERT(text_valid(result->message));
    spona_response response;
    spona__v1__response__init(&response);
    response.request_id = result->request_id;
    response.status = result->status;
    response.message = (char *)(uintptr_t)result->message;
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    FUZZ_ASSERT(envelope_pack(&response.base, &frame, &frame_length) == 0);
    free(frame);
}

enum decode_outcome fuzz_check_decode(const uint8_t *body, size_t length, int body_case)
{
    struct decode_result result;
    enum decode_outcome outcome = decode_request(body, length, &result);
    FUZZ_ASSERT(outcome == DECODE_OK || outcome == DECODE_MALFORMED ||
                outcome == DECODE_REFUSED);
    if (outcome != DECODE_OK) {
        check_refusal(&result);
        return outcome;
    }
    const spona_request *request = result.request;
    FUZZ_ASSERT(request != NULL);
    FUZZ_ASSERT(request->request_id != 0 && request->request_id == result.request_id);
    FUZZ_ASSERT(result.cost <= DECODE_BUDGET_FACTOR * length + DECODE_BUDGET_EXTRA);
    FUZZ_ASSERT(body_case < 0 || (int)request->body_case == body_case);
    FUZZ_ASSERT(fuzz_strings_valid(&request->base));
    check_round_trip(request);
    envelope_free_request(result.request);
    return outcome;
}
