/*
 * Fuzzer: one frame body, as the server's decoder takes it (decode_request,
 * common/decode.c: request id, wire walk by the descriptors, budgeted unpack)
 * with the checks of fuzz_check.h, and as the client library takes a
 * Response (envelope_unpack_response, common/envelope.c): a server's answer is
 * untrusted input to the client.
 */
#include <stdint.h>

#include "envelope.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fuzz_check_decode(data, size, -1);

    spona_response *response = envelope_unpack_response(data, size);
    if (response != NULL) {
        FUZZ_ASSERT(envelope_status_name(response->status) != NULL);
        FUZZ_ASSERT(envelope_body_name((int)response->body_case) != NULL);
        envelope_free_response(response);
    }
    return 0;
}
