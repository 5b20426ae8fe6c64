/*
 * The CLI's --json output: one object per run, keys in the order written, arrays,
 * built with json-c (Debian's libjson-c) and printed compact when the outermost object
 * closes. Strings from the server are made valid first: invalid UTF-8 becomes U+FFFD;
 * json-c escapes quotes and control characters. Writes only; no parsing.
 */
#ifndef SPONA_CLI_JSON_H
#define SPONA_CLI_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json_object; /* json-c's */

struct json_writer {
    FILE *out;
    int depth;                                /* open objects and arrays */
    struct json_object *open[JSON_MAX_DEPTH]; /* the open ones, outermost first */
};

/* Writes s as a JSON string literal, quotes included. */
void json_write_string(FILE *out, const char *s);

void json_init(struct json_writer *writer, FILE *out);

/* Opens an object; key is NULL for the outermost one and for an element of an array. */
void json_object_begin(struct json_writer *writer, const char *key);

/* Closes an object; closing the outermost one prints it and ends the line. */
void json_object_end(struct json_writer *writer);

/* Opens and closes an array member of the open object. */
void json_array_begin(struct json_writer *writer, const char *key);
void json_array_end(struct json_writer *writer);

/* Members of the open object (key NULL: elements of the open array). A NULL
 * string is written as null. */
void json_string(struct json_writer *writer, const char *key, const char *value);
void json_uint(struct json_writer *writer, const char *key, uint64_t value);
void json_double(struct json_writer *writer, const char *key, double value);
void json_bool(struct json_writer *writer, const char *key, int value);

#endif
