/*
 * Envelope encoding and decoding (see envelope.h). protobuf-c does the
 * message work; this file adds the frame header and the names used in errors.
 */
#include "envelope.h"

#include <stdlib.h>

#include "frame.h"

int envelope_pack(const ProtobufCMessage *message, uint8_t **frame, size_t *frame_length)
{
    size_t body = protobuf_c_message_get_packed_size(message);
    if (body > UINT32_MAX)
        return -1;
    /* +1 so an empty message still gets a non-NULL buffer */
    uint8_t *out = malloc(FRAME_HEADER_BYTES + body + 1);
    if (out == NULL)
        return -1;
    frame_put_length(out, (uint32_t)body);
    protobuf_c_message_pack(message, out + FRAME_HEADER_BYTES);
    *frame = out;
    *frame_length = FRAME_HEADER_BYTES + body;
    return 0;
}

spona_request *envelope_unpack_request(const uint8_t *body, size_t length)
{
    return spona__v1__request__unpack(NULL, length, body);
}

spona_response *envelope_unpack_response(const uint8_t *body, size_t length)
{
    return spona__v1__response__unpack(NULL, length, body);
}

void envelope_free_request(spona_request *request)
{
    if (request != NULL)
        spona__v1__request__free_unpacked(request, NULL);
}

void envelope_free_response(spona_response *response)
{
    if (response != NULL)
        spona__v1__response__free_unpacked(response, NULL);
}

const char *envelope_status_name(spona_status status)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value(&spona__v1__status__descriptor, (int)status);
    return value != NULL ? value->name : "UNKNOWN_STATUS";
}

const char *envelope_body_name(int body_case)
{
    if (body_case == 0)
        return "none";
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field(&spona__v1__request__descriptor,
                                                (unsigned)body_case);
    if (field == NULL || (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0)
        return "unknown"; /* request_id and protocol_version are not bodies */
    return field->name;
}
