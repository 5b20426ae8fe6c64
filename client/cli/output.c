/*
 * Results and errors of the spona CLI (see output.h). Text that came from the
 * network is printed through output_text so it cannot drive the terminal.
 */
#include "output.h"

#include "json.h"

void output_text(FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        fputc(*p < 0x20 || *p == 0x7F ? '?' : *p, out);
}

int output_error(int json, const char *status, const char *message, int exit_code)
{
    fflush(stdout);
    fputs("spona: ", stderr);
    output_text(stderr, message);
    fputc('\n', stderr);
    if (json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_object_begin(&writer, "error");
        json_string(&writer, "status", status);
        json_string(&writer, "message", message);
        json_object_end(&writer);
        json_object_end(&writer);
        fflush(stdout);
    }
    return exit_code;
}

int output_exit_code(spona_status status)
{
    switch (status) {
    case SPONA__V1__STATUS__OK:
        return OUTPUT_EXIT_OK;
    case SPONA__V1__STATUS__UNAUTHENTICATED:
        return OUTPUT_EXIT_UNAUTHENTICATED;
    case SPONA__V1__STATUS__PERMISSION_DENIED:
        return OUTPUT_EXIT_PERMISSION_DENIED;
    default:
        return OUTPUT_EXIT_SERVER_ERROR;
    }
}

int output_server_error(int json, const spona_response *response)
{
    const char *message = response->message != NULL && response->message[0] != '\0'
                              ? response->message
                              : envelope_status_name(response->status);
    int code = output_exit_code(response->status);
    if (code == OUTPUT_EXIT_OK)
        code = OUTPUT_EXIT_SERVER_ERROR; /* called for an OK response: should not happen */
    return output_error(json, envelope_status_name(response->status), message, code);
}
