/*
 * Short ids (see id_prefix.h): the body's id fields found by protobuf-c
 * reflection, so every command that takes a case, person, referral or outcome id
 * accepts a prefix (and a case id its number) without code of its own.
 */
#include "id_prefix.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "output.h"

#define ID_PREFIX_MIN 4

/* A full UUID in its text form: the server takes it as it is. */
static int id_prefix_is_uuid(const char *text)
{
    if (strlen(text) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return 0;
    }
    return 1;
}

/* Hex digits (dashes allowed), at least ID_PREFIX_MIN digits: a prefix to look up. */
static int id_prefix_is_prefix(const char *text)
{
    size_t digits = 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '-')
            continue;
        if (!isxdigit((unsigned char)*c))
            return 0;
        digits++;
    }
    return digits >= ID_PREFIX_MIN && digits < 32;
}

/* A case number, SHORT-YYYY-NNNN (1-6 letters, a year, 4-9 digits; sql/040). */
static int id_prefix_is_case_number(const char *text)
{
    size_t at = 0, letters = 0, digits = 0;
    while (letters < 7 && isalpha((unsigned char)text[at]))
        at++, letters++;
    if (letters < 1 || letters > 6 || text[at++] != '-')
        return 0;
    for (int i = 0; i < 4; i++, at++)
        if (!isdigit((unsigned char)text[at]))
            return 0;
    if (text[at++] != '-')
        return 0;
    while (isdigit((unsigned char)text[at]) && digits < 10)
        at++, digits++;
    return digits >= 4 && digits <= 9 && text[at] == '\0';
}

/* Asks the server for the ids of kind that begin with prefix; 0 with the one id in out. */
static int id_prefix_lookup(struct spona_client *client, const struct settings *settings,
                            const char *kind, char *prefix, char out[37])
{
    Spona__V1__IdLookupRequest lookup = SPONA__V1__ID_LOOKUP_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    lookup.kind = (char *)(uintptr_t)kind;
    lookup.prefix = prefix;
    request.body_case = SPONA__V1__REQUEST__BODY_ID_LOOKUP;
    request.id_lookup = &lookup;
    char err[512];
    spona_response *response = spona_client_call(client, &request, err, sizeof(err));
    if (response == NULL)
        return output_error(settings->json, OUTPUT_STATUS_CONNECTION, err,
                            OUTPUT_EXIT_CONNECTION);
    if (response->status != SPONA__V1__STATUS__OK ||
        response->body_case != SPONA__V1__RESPONSE__BODY_ID_LOOKUP) {
        int code = output_server_error(settings->json, response);
        envelope_free_response(response);
        return code;
    }
    size_t found = response->id_lookup->n_ids;
    if (found == 1)
        snprintf(out, 37, "%s", response->id_lookup->ids[0]);
    envelope_free_response(response);
    if (found == 1)
        return OUTPUT_EXIT_OK;
    char message[256];
    if (found == 0)
        snprintf(message, sizeof(message), _("no %s that you may see has an id beginning so"),
                 i18n_code_label("record", kind));
    else
        snprintf(message, sizeof(message),
                 _("more than one %s that you may see has an id beginning so: give more of it"),
                 i18n_code_label("record", kind));
    return output_error(settings->json, found == 0 ? "NOT_FOUND" : OUTPUT_STATUS_USAGE, message,
                        found == 0 ? output_exit_code(SPONA__V1__STATUS__NOT_FOUND)
                                   : OUTPUT_EXIT_USAGE);
}

int id_prefix_resolve(struct spona_client *client, const struct settings *settings,
                      spona_request *request)
{
    static const char *const fields[][2] = {
        {"case_id", "case"}, {"person_id", "person"}, {"referral_id", "referral"},
        {"outcome_id", "outcome"}};
    static char resolved[4][37];
    if (request->body_case == 0 || request->body_case == SPONA__V1__REQUEST__BODY_ID_LOOKUP)
        return OUTPUT_EXIT_OK;
    const ProtobufCFieldDescriptor *body = protobuf_c_message_descriptor_get_field(
        &spona__v1__request__descriptor, (unsigned)request->body_case);
    if (body == NULL || body->type != PROTOBUF_C_TYPE_MESSAGE)
        return OUTPUT_EXIT_OK;
    ProtobufCMessage *message = *(ProtobufCMessage **)(void *)((char *)request + body->offset);
    for (size_t i = 0; message != NULL && i < 4; i++) {
        const ProtobufCFieldDescriptor *field =
            protobuf_c_message_descriptor_get_field_by_name(message->descriptor, fields[i][0]);
        if (field == NULL || field->type != PROTOBUF_C_TYPE_STRING ||
            field->label == PROTOBUF_C_LABEL_REPEATED)
            continue;
        char **slot = (char **)(void *)((char *)message + field->offset);
        /* a case number too, so that the version store finds the case by its id */
        int number = i == 0 && *slot != NULL && id_prefix_is_case_number(*slot);
        if (*slot == NULL || id_prefix_is_uuid(*slot) || (!number && !id_prefix_is_prefix(*slot)))
            continue;
        int code = id_prefix_lookup(client, settings, fields[i][1], *slot, resolved[i]);
        if (code != OUTPUT_EXIT_OK)
            return code;
        *slot = resolved[i];
    }
    return OUTPUT_EXIT_OK;
}
