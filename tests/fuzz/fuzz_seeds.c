/*
 * Writes the seed corpus of the Request fuzzers from the protobuf-c
 * descriptors, so every request kind has a valid example with every field
 * set: tests/fuzz/corpus/request/<kind> (byte 0 = the kind's index, as
 * fuzz_request.c reads it, then the body), corpus/envelope/<kind> (the whole
 * Request) and corpus/frame/<kind> (byte 0, then two frames of it).
 *
 *   fuzz_seeds tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "envelope.h"
#include "frame.h"

#define SEED_MAX 8192
#define SEED_DEPTH 3

struct seed {
    uint8_t bytes[SEED_MAX];
    size_t length;
};

static void put(struct seed *seed, const void *bytes, size_t length)
{
    if (length > SEED_MAX - seed->length) {
        fprintf(stderr, "fuzz_seeds: a seed outgrew %d bytes\n", SEED_MAX);
        exit(1);
    }
    memcpy(seed->bytes + seed->length, bytes, length);
    seed->length += length;
}

static void put_varint(struct seed *seed, uint64_t value)
{
    do {
        uint8_t byte = (uint8_t)((value & 0x7F) | (value > 0x7F ? 0x80 : 0));
        put(seed, &byte, 1);
        value >>= 7;
    } while (value != 0);
}

static void put_length_field(struct seed *seed, uint32_t number, const void *bytes,
                             size_t length)
{
    put_varint(seed, ((uint64_t)number << 3) | 2);
    put_varint(seed, length);
    put(seed, bytes, length);
}

/* A plausible value for a string field: ids are UUIDs, dates are dates. */
static const char *sample_text(const char *name)
{
    if (strstr(name, "_id") != NULL || strcmp(name, "id") == 0 || strstr(name, "key") != NULL)
        return "6f1c2a34-8b7d-4e21-9a0c-3d5e7f9b1a24";
    if (strstr(name, "date") != NULL || strstr(name, "_on") != NULL)
        return "2026-03-01";
    if (strstr(name, "jmbg") != NULL)
        return "0101990170005";
    return "Ana Petrović";
}

static void put_message(struct seed *seed, const ProtobufCMessageDescriptor *descriptor,
                        int depth);

/* One value of a field (the first member of a oneof only). */
static void put_field(struct seed *seed, const ProtobufCFieldDescriptor *field, int depth)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *text = sample_text(field->name);
        put_length_field(seed, field->id, text, strlen(text));
        break;
    }
    case PROTOBUF_C_TYPE_BYTES:
        put_length_field(seed, field->id, "\x01\x02\x03", 3);
        break;
    case PROTOBUF_C_TYPE_MESSAGE: {
        if (depth >= SEED_DEPTH)
            break;
        struct seed inner = {.length = 0};
        put_message(&inner, field->descriptor, depth + 1);
        put_length_field(seed, field->id, inner.bytes, inner.length);
        break;
    }
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        put_varint(seed, ((uint64_t)field->id << 3) | 5);
        put(seed, "\x01\x00\x00\x00", 4);
        break;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        put_varint(seed, ((uint64_t)field->id << 3) | 1);
        put(seed, "\x01\x00\x00\x00\x00\x00\x00\x00", 8);
        break;
    default: /* varints: ints, bools, enums (1 is a named value of every enum here) */
        put_varint(seed, (uint64_t)field->id << 3);
        put_varint(seed, 1);
        break;
    }
}

static void put_message(struct seed *seed, const ProtobufCMessageDescriptor *descriptor,
                        int depth)
{
    unsigned last_oneof = ~0u;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[i];
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (field->quantifier_offset == last_oneof)
                continue; /* one member per oneof */
            last_oneof = field->quantifier_offset;
        }
        put_field(seed, field, depth);
        if (field->label == PROTOBUF_C_LABEL_REPEATED)
            put_field(seed, field, depth); /* two elements */
    }
}

static void write_seed(const char *dir, const char *target, const char *name,
                       const struct seed *seed)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(seed->bytes, 1, seed->length, file) != seed->length ||
        fclose(file) != 0) {
        perror(path);
        exit(1);
    }
}

static void write_kind(const char *dir, const ProtobufCFieldDescriptor *kind, uint8_t index)
{
    struct seed body = {.length = 0};
    put_message(&body, kind->descriptor, 1);

    struct seed request = {.length = 0};
    put(&request, "\x08\x01", 2); /* request_id = 1 */
    put_length_field(&request, 3, "6f1c2a34-8b7d-4e21-9a0c-3d5e7f9b1a24", 36);
    put_length_field(&request, kind->id, body.bytes, body.length);

    struct decode_result decoded; /* a seed is a valid example: the server takes it */
    if (decode_request(request.bytes, request.length, &decoded) != DECODE_OK ||
        (unsigned)decoded.request->body_case != kind->id) {
        fprintf(stderr, "fuzz_seeds: the %s example does not decode: %s\n", kind->name,
                decoded.message);
        exit(1);
    }
    envelope_free_request(decoded.request);

    struct seed chosen = {.length = 0};
    put(&chosen, &index, 1);
    put(&chosen, body.bytes, body.length);

    struct seed stream = {.length = 0};
    uint8_t header[FRAME_HEADER_BYTES];
    frame_put_length(header, (uint32_t)request.length);
    put(&stream, (const uint8_t[]){(uint8_t)(1 | (index << 1))}, 1); /* logged in */
    for (int copy = 0; copy < 2; copy++) {
        put(&stream, header, sizeof(header));
        put(&stream, request.bytes, request.length);
    }
    write_seed(dir, "request", kind->name, &chosen);
    write_seed(dir, "envelope", kind->name, &request);
    write_seed(dir, "frame", kind->name, &stream);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR\n");
        return 2;
    }
    const ProtobufCMessageDescriptor *request = &spona__v1__request__descriptor;
    uint8_t index = 0;
    for (unsigned i = 0; i < request->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &request->fields[i];
        if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && field->type == PROTOBUF_C_TYPE_MESSAGE)
            write_kind(argv[1], field, index++);
    }
    printf("fuzz_seeds: %u request kinds written under %s\n", index, argv[1]);
    return 0;
}
