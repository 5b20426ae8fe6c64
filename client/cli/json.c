/*
 * JSON output (see json.h). The string escaper is the part that must be
 * right: it follows RFC 8259 and never emits invalid UTF-8, whatever bytes a
 * server or a file hands it.
 */
#include "json.h"

#include <inttypes.h>
#include <math.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
static int utf8_sequence_length(const unsigned char *s)
{
    unsigned char lead = s[0];
    int length;
    unsigned char second_min = 0x80, second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF)
        length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF)
        length = 3;
    else if (lead >= 0xF0 && lead <= 0xF4)
        length = 4;
    else
        return 0;
    if (lead == 0xE0)
        second_min = 0xA0; /* overlong */
    else if (lead == 0xED)
        second_max = 0x9F; /* UTF-16 surrogates */
    else if (lead == 0xF0)
        second_min = 0x90; /* overlong */
    else if (lead == 0xF4)
        second_max = 0x8F; /* beyond U+10FFFF */
    if (s[1] < second_min || s[1] > second_max)
        return 0; /* also stops at the terminating NUL */
    for (int i = 2; i < length; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return length;
}

void json_write_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p != '\0') {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            p++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\b': fputs("\\b", out); break;
            case '\f': fputs("\\f", out); break;
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", c); break;
            }
            p++;
        } else if (c < 0x80) {
            fputc(c, out);
            p++;
        } else {
            int length = utf8_sequence_length(p);
            if (length == 0) {
                fputs("\\ufffd", out);
                p++;
            } else {
                fwrite(p, 1, (size_t)length, out);
                p += length;
            }
        }
    }
    fputc('"', out);
}

void json_init(struct json_writer *writer, FILE *out)
{
    writer->out = out;
    writer->depth = 0;
}

/* Writes the separator and key of a new member. */
static void json_member(struct json_writer *writer, const char *key)
{
    if (writer->depth > 0) {
        if (writer->has_items[writer->depth - 1])
            fputc(',', writer->out);
        writer->has_items[writer->depth - 1] = 1;
    }
    if (key != NULL) {
        json_write_string(writer->out, key);
        fputc(':', writer->out);
    }
}

void json_object_begin(struct json_writer *writer, const char *key)
{
    if (writer->depth >= JSON_MAX_DEPTH)
        return; /* a programming error; the output stays well-formed up to here */
    json_member(writer, key);
    fputc('{', writer->out);
    writer->has_items[writer->depth++] = 0;
}

void json_object_end(struct json_writer *writer)
{
    if (writer->depth == 0)
        return;
    fputc('}', writer->out);
    if (--writer->depth == 0)
        fputc('\n', writer->out);
}

void json_array_begin(struct json_writer *writer, const char *key)
{
    if (writer->depth >= JSON_MAX_DEPTH)
        return;
    json_member(writer, key);
    fputc('[', writer->out);
    writer->has_items[writer->depth++] = 0;
}

void json_array_end(struct json_writer *writer)
{
    if (writer->depth == 0)
        return;
    fputc(']', writer->out);
    writer->depth--;
}

void json_string(struct json_writer *writer, const char *key, const char *value)
{
    json_member(writer, key);
    if (value == NULL)
        fputs("null", writer->out);
    else
        json_write_string(writer->out, value);
}

void json_uint(struct json_writer *writer, const char *key, uint64_t value)
{
    json_member(writer, key);
    fprintf(writer->out, "%" PRIu64, value);
}

void json_double(struct json_writer *writer, const char *key, double value)
{
    json_member(writer, key);
    if (isfinite(value))
        fprintf(writer->out, "%.3f", value);
    else
        fputs("null", writer->out); /* JSON has no NaN or infinity */
}

void json_bool(struct json_writer *writer, const char *key, int value)
{
    json_member(writer, key);
    fputs(value ? "true" : "false", writer->out);
}
