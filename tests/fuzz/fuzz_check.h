/*
 * What every fuzzer of the Request path asserts after decode_request (decode.h):
 * a decoded request holds only valid text, costs no more than its budget and
 * packs back into bytes that decode the same way; a refusal carries a status
 * the protocol allows and a message that is valid text. A broken promise
 * aborts, which libFuzzer reports as a crash with the input that did it.
 */
#ifndef SPONA_FUZZ_CHECK_H
#define SPONA_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/* Aborts with a line naming what failed when condition is false. */
#define FUZZ_ASSERT(condition) fuzz_assert((condition), #condition, __FILE__, __LINE__)
void fuzz_assert(int condition, const char *what, const char *file, int line);

/*
 * Decodes one frame body as the server does and checks the outcome (above).
 * body_case: the oneof case the body must have when decoded, or -1 for any.
 * Returns the outcome.
 */
enum decode_outcome fuzz_check_decode(const uint8_t *body, size_t length, int body_case);

/* 1 when every string in message (and in the messages it holds) is valid text. */
int fuzz_strings_valid(const ProtobufCMessage *message);

#endif
