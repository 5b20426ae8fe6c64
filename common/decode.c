/*
 * Untrusted Request frames (see decode.h). The wire walk reads only what the
 * descriptors say; the budgeted allocator counts the bytes malloc really
 * hands out (malloc_usable_size plus a word of bookkeeping) and gives them
 * back on free, so protobuf-c's temporary scan slabs count while they live.
 */
#include "decode.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALLOCATION_OVERHEAD 16u /* malloc's own header, roughly */
#define FIELD_NUMBER_MAX 0x1FFFFFFFu

enum wire_type { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LENGTH = 2, WIRE_FIXED32 = 5 };

/* One field as read from the wire: its number, type and, for WIRE_LENGTH, its bytes. */
struct wire_field {
    uint32_t number;
    unsigned type;
    uint64_t varint;
    const uint8_t *bytes;
    size_t length;
};

struct wire_walk {
    char *message;
    size_t message_size;
    char path[256]; /* dotted descriptor names of the fields entered */
    size_t path_length;
};

static int wire_varint(const uint8_t **at, const uint8_t *end, uint64_t *out)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 70 && *at < end; shift += 7) {
        uint8_t byte = *(*at)++;
        value |= (uint64_t)(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) {
            *out = value;
            return 0;
        }
    }
    return -1;
}

/* Reads the next field at *at; -1 when the bytes are not protobuf (groups included). */
static int wire_next(const uint8_t **at, const uint8_t *end, struct wire_field *field)
{
    uint64_t tag = 0;
    if (wire_varint(at, end, &tag) != 0 || (tag >> 3) == 0 || (tag >> 3) > FIELD_NUMBER_MAX)
        return -1;
    field->number = (uint32_t)(tag >> 3);
    field->type = (unsigned)(tag & 7);
    field->bytes = *at;
    field->length = 0;
    switch (field->type) {
    case WIRE_VARINT:
        return wire_varint(at, end, &field->varint);
    case WIRE_FIXED64:
        field->length = 8;
        break;
    case WIRE_FIXED32:
        field->length = 4;
        break;
    case WIRE_LENGTH: {
        uint64_t length = 0;
        if (wire_varint(at, end, &length) != 0)
            return -1;
        field->bytes = *at;
        if (length > (uint64_t)(end - *at))
            return -1;
        field->length = (size_t)length;
        break;
    }
    default:
        return -1;
    }
    if (field->length > (size_t)(end - *at))
        return -1;
    *at += field->length;
    return 0;
}

size_t decode_text_prefix(const uint8_t *bytes, size_t length)
{
    size_t i = 0;
    while (i < length) {
        uint8_t lead = bytes[i];
        if (lead == 0)
            return i;
        if (lead < 0x80) {
            i++;
            continue;
        }
        size_t extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC2 ? 1 : 0;
        if (extra == 0 || lead > 0xF4 || length - i <= extra)
            return i;
        uint32_t point = lead & (0x3Fu >> extra);
        for (size_t k = 1; k <= extra; k++) {
            if ((bytes[i + k] & 0xC0) != 0x80)
                return i;
            point = (point << 6) | (bytes[i + k] & 0x3Fu);
        }
        static const uint32_t shortest[4] = {0, 0x80, 0x800, 0x10000};
        if (point < shortest[extra] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF))
            return i;
        i += extra + 1;
    }
    return i;
}

int decode_valid_text(const uint8_t *bytes, size_t length)
{
    return decode_text_prefix(bytes, length) == length;
}

void decode_cut_to_text(char *text)
{
    text[decode_text_prefix((const uint8_t *)text, strlen(text))] = '\0';
}

/* Elements of a repeated field carried by one wire field (packed scalars hold many). */
static size_t wire_elements(const ProtobufCFieldDescriptor *field, const struct wire_field *wire)
{
    if (wire->type != WIRE_LENGTH || field->type == PROTOBUF_C_TYPE_STRING ||
        field->type == PROTOBUF_C_TYPE_BYTES || field->type == PROTOBUF_C_TYPE_MESSAGE)
        return 1;
    switch (field->type) {
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return wire->length / 4;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return wire->length / 8;
    default: {
        size_t count = 0; /* varints: one ends at each byte without the high bit */
        for (size_t i = 0; i < wire->length; i++)
            count += (wire->bytes[i] & 0x80) == 0;
        return count;
    }
    }
}

static void walk_enter(struct wire_walk *walk, const char *name)
{
    int written = snprintf(walk->path + walk->path_length,
                           sizeof(walk->path) - walk->path_length, "%s%s",
                           walk->path_length > 0 ? "." : "", name);
    if (written > 0)
        walk->path_length += (size_t)written;
    if (walk->path_length >= sizeof(walk->path))
        walk->path_length = sizeof(walk->path) - 1;
}

static enum decode_outcome walk_refuse(struct wire_walk *walk, const char *what)
{
    snprintf(walk->message, walk->message_size, "field %s %s", walk->path, what);
    return DECODE_REFUSED;
}

static enum decode_outcome walk_message(struct wire_walk *walk,
                                        const ProtobufCMessageDescriptor *descriptor,
                                        const uint8_t *bytes, size_t length, int depth);

/* Checks one known field's contents: its text, or the submessage it holds. */
static enum decode_outcome walk_field(struct wire_walk *walk, const ProtobufCFieldDescriptor *field,
                                      const struct wire_field *wire, int depth)
{
    if (wire->type != WIRE_LENGTH)
        return DECODE_OK;
    if (field->type == PROTOBUF_C_TYPE_STRING) {
        if (memchr(wire->bytes, 0, wire->length) != NULL)
            return walk_refuse(walk, "contains a NUL byte");
        if (!decode_valid_text(wire->bytes, wire->length))
            return walk_refuse(walk, "is not valid UTF-8");
        return DECODE_OK;
    }
    if (field->type != PROTOBUF_C_TYPE_MESSAGE)
        return DECODE_OK;
    if (depth >= DECODE_MAX_DEPTH)
        return walk_refuse(walk, "nests messages too deeply");
    return walk_message(walk, field->descriptor, wire->bytes, wire->length, depth + 1);
}

static int has_repeated(const ProtobufCMessageDescriptor *descriptor)
{
    for (unsigned i = 0; i < descriptor->n_fields; i++)
        if (descriptor->fields[i].label == PROTOBUF_C_LABEL_REPEATED)
            return 1;
    return 0;
}

static enum decode_outcome walk_message(struct wire_walk *walk,
                                        const ProtobufCMessageDescriptor *descriptor,
                                        const uint8_t *bytes, size_t length, int depth)
{
    size_t *counts = NULL;
    if (has_repeated(descriptor) && (counts = calloc(descriptor->n_fields, sizeof(*counts))) == NULL)
        return walk_refuse(walk, "cannot be checked: out of memory");
    const uint8_t *at = bytes, *end = bytes + length;
    size_t saved_length = walk->path_length;
    enum decode_outcome outcome = DECODE_OK;
    while (at < end && outcome == DECODE_OK) {
        struct wire_field wire;
        if (wire_next(&at, end, &wire) != 0) {
            snprintf(walk->message, walk->message_size, "undecodable request");
            outcome = DECODE_MALFORMED;
            break;
        }
        const ProtobufCFieldDescriptor *field =
            protobuf_c_message_descriptor_get_field(descriptor, wire.number);
        if (field == NULL)
            continue; /* unknown: kept by protobuf-c, paid for by the budget */
        walk_enter(walk, field->name);
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t *count = &counts[field - descriptor->fields];
            *count += wire_elements(field, &wire);
            if (*count > DECODE_MAX_REPEATED) {
                char what[80];
                snprintf(what, sizeof(what), "has more than %u elements", DECODE_MAX_REPEATED);
                outcome = walk_refuse(walk, what);
            }
        }
        if (outcome == DECODE_OK)
            outcome = walk_field(walk, field, &wire, depth);
        walk->path_length = saved_length;
        walk->path[saved_length] = '\0';
    }
    free(counts);
    return outcome;
}

enum decode_outcome decode_check_wire(const ProtobufCMessageDescriptor *descriptor,
                                      const uint8_t *bytes, size_t length, char *message,
                                      size_t message_size)
{
    struct wire_walk walk = {.message = message, .message_size = message_size};
    walk.path[0] = '\0';
    return walk_message(&walk, descriptor, bytes, length, 0);
}

struct budget {
    size_t limit;
    size_t used;
    int exhausted;
};

static void *budget_alloc(void *data, size_t size)
{
    struct budget *budget = data;
    if (size > budget->limit || size + ALLOCATION_OVERHEAD > budget->limit - budget->used) {
        budget->exhausted = 1;
        return NULL;
    }
    void *pointer = malloc(size);
    if (pointer != NULL)
        budget->used += malloc_usable_size(pointer) + ALLOCATION_OVERHEAD;
    return pointer;
}

static void budget_free(void *data, void *pointer)
{
    struct budget *budget = data;
    if (pointer == NULL)
        return;
    size_t charge = malloc_usable_size(pointer) + ALLOCATION_OVERHEAD;
    budget->used = charge < budget->used ? budget->used - charge : 0;
    free(pointer);
}

ProtobufCMessage *decode_unpack_budgeted(const ProtobufCMessageDescriptor *descriptor,
                                         const uint8_t *bytes, size_t length, size_t budget_bytes,
                                         int *exhausted, size_t *cost)
{
    struct budget budget = {.limit = budget_bytes};
    ProtobufCAllocator allocator = {budget_alloc, budget_free, &budget};
    ProtobufCMessage *message = protobuf_c_message_unpack(descriptor, &allocator, length, bytes);
    *exhausted = message == NULL && budget.exhausted;
    *cost = budget.used;
    return message;
}

/* The request id at the top level (the last one wins, as in protobuf); -1 when malformed. */
static int wire_request_id(const uint8_t *body, size_t length, uint64_t *request_id)
{
    const uint8_t *at = body, *end = body + length;
    *request_id = 0;
    while (at < end) {
        struct wire_field wire = {0};
        if (wire_next(&at, end, &wire) != 0)
            return -1;
        if (wire.number == 1 && wire.type == WIRE_VARINT)
            *request_id = wire.varint;
    }
    return 0;
}

static enum decode_outcome decode_fail(struct decode_result *result, enum decode_outcome outcome,
                                       spona_status status)
{
    result->status = status;
    return outcome;
}

enum decode_outcome decode_request(const uint8_t *body, size_t length,
                                   struct decode_result *result)
{
    memset(result, 0, sizeof(*result));
    if (wire_request_id(body, length, &result->request_id) != 0) {
        snprintf(result->message, sizeof(result->message),
                 "undecodable request: %zu bytes are not a spona.v1.Request", length);
        return decode_fail(result, DECODE_MALFORMED, SPONA__V1__STATUS__INVALID_ARGUMENT);
    }
    if (result->request_id == 0) {
        snprintf(result->message, sizeof(result->message),
                 "request id 0 is reserved for connection-level errors");
        return decode_fail(result, DECODE_MALFORMED, SPONA__V1__STATUS__INVALID_ARGUMENT);
    }
    enum decode_outcome outcome = decode_check_wire(&spona__v1__request__descriptor, body, length,
                                                    result->message, sizeof(result->message));
    if (outcome == DECODE_MALFORMED)
        snprintf(result->message, sizeof(result->message),
                 "undecodable request: %zu bytes are not a spona.v1.Request", length);
    if (outcome != DECODE_OK)
        return decode_fail(result, outcome, SPONA__V1__STATUS__INVALID_ARGUMENT);
    size_t budget = DECODE_BUDGET_FACTOR * length + DECODE_BUDGET_EXTRA;
    int exhausted = 0;
    result->request = (spona_request *)decode_unpack_budgeted(
        &spona__v1__request__descriptor, body, length, budget, &exhausted, &result->cost);
    if (result->request != NULL)
        return DECODE_OK;
    if (exhausted) {
        snprintf(result->message, sizeof(result->message),
                 "request of %zu bytes would take more than %zu bytes to decode", length, budget);
        return decode_fail(result, DECODE_REFUSED, SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    }
    snprintf(result->message, sizeof(result->message),
             "undecodable request: %zu bytes are not a spona.v1.Request", length);
    return decode_fail(result, DECODE_MALFORMED, SPONA__V1__STATUS__INVALID_ARGUMENT);
}
