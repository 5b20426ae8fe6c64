/*
 * Results and errors of the spona CLI (see output.h). Text that came from the
 * network is printed through output_text so it cannot drive the terminal.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

void output_text(FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        fputc(*p < 0x20 || *p == 0x7F ? '?' : *p, out);
}

void output_block(FILE *out, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    for (; *p != '\0'; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        fputc((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F ? '?' : *p, out);
    }
    if (p != (const unsigned char *)text && p[-1] != '\n')
        fputc('\n', out);
}

void output_indented(FILE *out, const char *text, int indent)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        if (*p == '\n')
            fprintf(out, "\n%*s", indent, "");
        else
            fputc(*p < 0x20 || *p == 0x7F ? '?' : *p, out);
    }
}

size_t output_width(const char *text)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        width += (*p & 0xC0) != 0x80; /* count lead bytes, not continuation bytes */
    return width;
}

int output_error(int json, const char *status, const char *message, int exit_code)
{
    fflush(stdout);
    for (const char *line = message; *line != '\0' || line == message;) {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, length);
        fputs("spona: ", stderr);
        output_text(stderr, copy != NULL ? copy : "out of memory");
        fputc('\n', stderr);
        free(copy);
        if (end == NULL)
            break;
        line = end + 1;
        if (*line == '\0')
            break; /* a final newline ends the message, not a new line */
    }
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
