/*
 * Fuzzer: every request kind's decode-and-validate path. The kinds are the
 * message fields of the oneof body of spona.v1.Request, read from the
 * protobuf-c descriptor (a kind added to spona.proto is fuzzed without a
 * change here). Byte 0 picks the kind; the rest is that kind's body, wrapped
 * in a Request (request id 1) as a client would send it, then decoded by
 * decode_request with the checks of fuzz_check.h. The body alone must get the
 * same verdict from decode_check_wire against the kind's own descriptor: a
 * body refused there must never be accepted inside the Request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz_check.h"

#define MAX_KINDS 256

static const ProtobufCFieldDescriptor *kinds[MAX_KINDS];
static size_t kind_count;

static void find_kinds(void)
{
    const ProtobufCMessageDescriptor *request = &spona__v1__request__descriptor;
    for (unsigned i = 0; i < request->n_fields && kind_count < MAX_KINDS; i++) {
        const ProtobufCFieldDescriptor *field = &request->fields[i];
        if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && field->type == PROTOBUF_C_TYPE_MESSAGE)
            kinds[kind_count++] = field;
    }
    FUZZ_ASSERT(kind_count > 0);
}

static size_t put_varint(uint8_t *out, uint64_t value)
{
    size_t n = 0;
    do {
        uint8_t byte = value & 0x7F;
        value >>= 7;
        out[n++] = byte | (value != 0 ? 0x80 : 0);
    } while (value != 0);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (kind_count == 0)
        find_kinds();
    if (size < 1)
        return 0;
    const ProtobufCFieldDescriptor *kind = kinds[data[0] % kind_count];
    const uint8_t *body = data + 1;
    size_t length = size - 1;

    uint8_t *request = malloc(32 + length);
    FUZZ_ASSERT(request != NULL);
    size_t at = 0;
    request[at++] = 0x08; /* request_id = 1 */
    request[at++] = 0x01;
    at += put_varint(request + at, ((uint64_t)kind->id << 3) | 2);
    at += put_varint(request + at, length);
    memcpy(request + at, body, length);
    at += length;

    enum decode_outcome whole = fuzz_check_decode(request, at, (int)kind->id);
    char message[200];
    enum decode_outcome alone = decode_check_wire(kind->descriptor, body, length, message,
                                                  sizeof(message));
    if (alone != DECODE_OK)
        FUZZ_ASSERT(whole != DECODE_OK);
    free(request);
    return 0;
}
