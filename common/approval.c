/*
 * The approval message (approval.h): plain text, no cryptography here; the
 * client signs it (client/lib/client_sign.c), the server verifies it
 * (server/handlers/protocol_signature.c).
 */
#include "approval.h"

#include <stdio.h>
#include <string.h>

int approval_message(const char *municipality, uint32_t version, const char *sha256_hex,
                     char *out, size_t out_size)
{
    if (strlen(sha256_hex) != 64 || strspn(sha256_hex, "0123456789abcdef") != 64)
        return -1;
    int length = snprintf(out, out_size, "spona-protocol-approval\n%s\n%u\n%s", municipality,
                          version, sha256_hex);
    return length > 0 && (size_t)length < out_size ? length : -1;
}
