/*
 * A server's refusal in the user's language (docs/protocol.md, "Error codes"): the
 * response's error_code and error_params give the message from the catalogs; a code
 * the client does not know keeps the server's English message.
 */
#ifndef SPONA_I18N_ERRORS_H
#define SPONA_I18N_ERRORS_H

#include <stddef.h>

#include "envelope.h"

/*
 * Writes the message of response (not OK) into out: translated from its code when the
 * client knows the code, else the server's message. Returns 1 when translated, 0 when
 * the English message (or the status name) was used.
 */
int i18n_error_message(const spona_response *response, char *out, size_t out_size);

/* The value of the response's parameter name, or "" when it has none. Borrowed. */
const char *i18n_error_param(const spona_response *response, const char *name);

#endif
