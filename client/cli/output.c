/*
 * Results and errors of the spona CLI (see output.h). Text that came from the
 * network is printed through output_text so it cannot drive the terminal.
 */
#include "output.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "i18n_errors.h"
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

void output_printf(FILE *out, const char *format, ...)
{
    char buffer[2048];
    va_list list;
    va_start(list, format);
    int length = vsnprintf(buffer, sizeof(buffer), format, list);
    va_end(list);
    char *text = buffer;
    if (length >= (int)sizeof(buffer)) {
        text = malloc((size_t)length + 1);
        if (text != NULL) {
            va_start(list, format);
            vsnprintf(text, (size_t)length + 1, format, list);
            va_end(list);
        } else {
            text = buffer; /* out of memory: the message cut short */
        }
    }
    if (length > 0)
        for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
            fputc((*p < 0x20 && *p != '\n') || *p == 0x7F ? '?' : *p, out);
    if (text != buffer)
        free(text);
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

/* "spona: message" on stderr, one such line per line of message. */
static void output_error_lines(const char *message)
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
}

int output_error(int json, const char *status, const char *message, int exit_code)
{
    output_error_lines(message);
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
    char translated[1024];
    i18n_error_message(response, translated, sizeof(translated));
    const char *message = response->message != NULL && response->message[0] != '\0'
                              ? response->message
                              : envelope_status_name(response->status);
    int code = output_exit_code(response->status);
    if (code == OUTPUT_EXIT_OK)
        code = OUTPUT_EXIT_SERVER_ERROR; /* called for an OK response: should not happen */
    output_error_lines(translated);
    if (json) { /* the server's English message and the code, untranslated */
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_object_begin(&writer, "error");
        json_string(&writer, "status", envelope_status_name(response->status));
        json_string(&writer, "message", message);
        if (response->error_code != NULL && response->error_code[0] != '\0') {
            json_string(&writer, "code", response->error_code);
            json_object_begin(&writer, "params");
            for (size_t i = 0; i < response->n_error_params; i++)
                json_string(&writer, response->error_params[i]->name,
                            response->error_params[i]->value);
            json_object_end(&writer);
        }
        json_object_end(&writer);
        json_object_end(&writer);
        fflush(stdout);
    }
    return code;
}
