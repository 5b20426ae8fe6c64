/*
 * JSON output (see json.h) through json-c. What json-c does not do is checking that a
 * string is UTF-8 (it copies bytes as they are): json_valid_utf8 replaces every byte
 * that does not start a valid sequence by U+FFFD first, so the output is valid JSON
 * whatever bytes a server or a file hands it.
 */
#include "json.h"

/* json-c names a type json_bool, the name of a function of json.h: its headers see it as
 * json_c_bool */
#define json_bool json_c_bool
#include <json-c/json.h>
#undef json_bool
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JSON_PRINT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
static int utf8_sequence_length(const unsigned char *s)
{
    unsigned char lead = s[0];
    int length;
    unsigned char second_min = 0x80, second_max = 0xBF;
    if (lead < 0x80)
        return 1;
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

/* A json-c string of s with invalid UTF-8 replaced by U+FFFD; NULL out of memory. */
static struct json_object *json_valid_utf8(const char *s)
{
    size_t length = strlen(s);
    char *copy = malloc(length * 3 + 1); /* each bad byte may become 3 */
    if (copy == NULL)
        return NULL;
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0';) {
        int sequence = utf8_sequence_length(p);
        if (sequence == 0) {
            memcpy(copy + used, "\xEF\xBF\xBD", 3);
            used += 3;
            p++;
        } else {
            memcpy(copy + used, p, (size_t)sequence);
            used += (size_t)sequence;
            p += sequence;
        }
    }
    struct json_object *string = json_object_new_string_len(copy, (int)used);
    free(copy);
    return string;
}

/* The text of s (made valid) as a key; caller frees. NULL out of memory. */
static char *json_valid_key(const char *s)
{
    struct json_object *string = json_valid_utf8(s);
    char *key = string != NULL ? strdup(json_object_get_string(string)) : NULL;
    json_object_put(string);
    return key;
}

void json_write_string(FILE *out, const char *s)
{
    struct json_object *string = json_valid_utf8(s);
    fputs(string != NULL ? json_object_to_json_string_ext(string, JSON_PRINT_FLAGS) : "null", out);
    json_object_put(string);
}

void json_init(struct json_writer *writer, FILE *out)
{
    writer->out = out;
    writer->depth = 0;
}

/* Adds value (json-c's NULL: null) to the open object under key, or to the open array. */
static void json_member(struct json_writer *writer, const char *key, struct json_object *value)
{
    if (writer->depth == 0) {
        json_object_put(value); /* a member outside any object: a programming error */
        return;
    }
    struct json_object *parent = writer->open[writer->depth - 1];
    if (json_object_is_type(parent, json_type_array)) {
        if (json_object_array_add(parent, value) != 0)
            json_object_put(value);
        return;
    }
    char *valid = json_valid_key(key != NULL ? key : "");
    if (valid == NULL || json_object_object_add(parent, valid, value) != 0)
        json_object_put(value);
    free(valid);
}

/* Opens container under key (the outermost: no parent). */
static void json_open(struct json_writer *writer, const char *key, struct json_object *container)
{
    if (container == NULL || writer->depth >= JSON_MAX_DEPTH) {
        json_object_put(container); /* too deep: a programming error; the rest still prints */
        return;
    }
    if (writer->depth > 0)
        json_member(writer, key, json_object_get(container)); /* the parent holds one ref */
    writer->open[writer->depth++] = container;
}

void json_object_begin(struct json_writer *writer, const char *key)
{
    json_open(writer, key, json_object_new_object());
}

void json_object_end(struct json_writer *writer)
{
    if (writer->depth == 0)
        return;
    struct json_object *closed = writer->open[--writer->depth];
    if (writer->depth == 0) {
        fputs(json_object_to_json_string_ext(closed, JSON_PRINT_FLAGS), writer->out);
        fputc('\n', writer->out);
    }
    json_object_put(closed); /* ours; the parent keeps its own */
}

void json_array_begin(struct json_writer *writer, const char *key)
{
    json_open(writer, key, json_object_new_array());
}

void json_array_end(struct json_writer *writer)
{
    if (writer->depth > 0)
        json_object_put(writer->open[--writer->depth]);
}

void json_string(struct json_writer *writer, const char *key, const char *value)
{
    json_member(writer, key, value != NULL ? json_valid_utf8(value) : NULL);
}

void json_uint(struct json_writer *writer, const char *key, uint64_t value)
{
    json_member(writer, key, json_object_new_uint64(value));
}

void json_double(struct json_writer *writer, const char *key, double value)
{
    char text[64];
    if (!isfinite(value)) {
        json_member(writer, key, NULL); /* JSON has no NaN or infinity */
        return;
    }
    snprintf(text, sizeof(text), "%.3f", value);
    json_member(writer, key, json_object_new_double_s(value, text));
}

void json_bool(struct json_writer *writer, const char *key, int value)
{
    json_member(writer, key, json_object_new_boolean(value ? 1 : 0));
}
