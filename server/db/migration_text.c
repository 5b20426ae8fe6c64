/*
 * Migration files with their shared parts put in (see migration_text.h).
 */
#include "migration_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCLUDE_DIRECTIVE "--@include "
#define INCLUDE_FOLDER "shared/"

struct text {
    char *bytes;
    size_t length;
    size_t capacity;
};

static int text_append(struct text *text, const char *bytes, size_t length)
{
    if (text->length + length + 1 > text->capacity) {
        size_t capacity = (text->length + length + 1) * 2;
        char *grown = realloc(text->bytes, capacity);
        if (grown == NULL)
            return 0;
        text->bytes = grown;
        text->capacity = capacity;
    }
    memcpy(text->bytes + text->length, bytes, length);
    text->length += length;
    text->bytes[text->length] = '\0';
    return 1;
}

static char *read_whole(const char *root, const char *path)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s/%s", root, path);
    FILE *file = fopen(full, "rb");
    if (file == NULL) {
        fprintf(stderr, "spona-server migrate: cannot read %s: %s\n", full, strerror(errno));
        return NULL;
    }
    struct text text = {0};
    char chunk[8192];
    size_t got;
    int ok = text_append(&text, "", 0);
    while (ok && (got = fread(chunk, 1, sizeof(chunk), file)) > 0)
        ok = text_append(&text, chunk, got);
    if (ok && ferror(file))
        ok = 0;
    fclose(file);
    if (!ok) {
        fprintf(stderr, "spona-server migrate: cannot read %s\n", full);
        free(text.bytes);
        return NULL;
    }
    return text.bytes;
}

/* A shared file's name: shared/ then letters, digits, '_' and '-', ending in .sql. */
static int valid_include(const char *name, size_t length)
{
    size_t folder = strlen(INCLUDE_FOLDER);
    if (length <= folder + 4 || strncmp(name, INCLUDE_FOLDER, folder) != 0 ||
        strncmp(name + length - 4, ".sql", 4) != 0)
        return 0;
    for (size_t i = folder; i < length - 4; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Puts the shared file named on one directive line into text. */
static int put_include(struct text *text, const char *root, const char *path,
                       const char *name, size_t length)
{
    if (strncmp(path, INCLUDE_FOLDER, strlen(INCLUDE_FOLDER)) == 0) {
        fprintf(stderr, "spona-server migrate: %s: a shared file includes nothing\n", path);
        return 0;
    }
    char wanted[256];
    if (!valid_include(name, length) || length >= sizeof(wanted)) {
        fprintf(stderr, "spona-server migrate: %s: an include names a file of %s only\n",
                path, INCLUDE_FOLDER);
        return 0;
    }
    memcpy(wanted, name, length);
    wanted[length] = '\0';
    char *shared = read_whole(root, wanted);
    if (shared == NULL)
        return 0;
    if (strncmp(shared, INCLUDE_DIRECTIVE, strlen(INCLUDE_DIRECTIVE)) == 0 ||
        strstr(shared, "\n" INCLUDE_DIRECTIVE) != NULL) {
        fprintf(stderr, "spona-server migrate: %s: a shared file includes nothing\n", wanted);
        free(shared);
        return 0;
    }
    int ok = text_append(text, shared, strlen(shared));
    free(shared);
    return ok;
}

char *migration_text_load(const char *root, const char *path)
{
    char *raw = read_whole(root, path);
    if (raw == NULL)
        return NULL;
    struct text text = {0};
    int ok = text_append(&text, "", 0);
    size_t directive = strlen(INCLUDE_DIRECTIVE);
    for (const char *line = raw; ok && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) + 1 : strlen(line);
        if (strncmp(line, INCLUDE_DIRECTIVE, directive) == 0) {
            size_t name_length = length - directive;
            while (name_length > 0 && (line[directive + name_length - 1] == '\n' ||
                                       line[directive + name_length - 1] == '\r' ||
                                       line[directive + name_length - 1] == ' '))
                name_length--;
            ok = put_include(&text, root, path, line + directive, name_length);
        } else {
            ok = text_append(&text, line, length);
        }
        line += length;
    }
    free(raw);
    if (!ok) {
        free(text.bytes);
        return NULL;
    }
    return text.bytes;
}
