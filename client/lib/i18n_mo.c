/*
 * GNU .mo catalogs (see i18n_mo.h). Layout: magic, revision, count, offset of the
 * originals' table, offset of the translations' table; each table holds count pairs
 * (length, offset) of NUL-terminated strings; the originals are sorted.
 */
#include "i18n_mo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MO_MAGIC 0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u
#define MO_MAX_SIZE (64u * 1024u * 1024u)

static uint32_t mo_word(const struct i18n_mo *mo, size_t offset)
{
    uint32_t value;
    memcpy(&value, mo->data + offset, sizeof(value));
    if (mo->swapped)
        value = (value >> 24) | ((value >> 8) & 0xff00u) | ((value << 8) & 0xff0000u) |
                (value << 24);
    return value;
}

/* String number index of the table at table: its text, or NULL when out of bounds. */
static const char *mo_string(const struct i18n_mo *mo, uint32_t table, uint32_t index,
                             size_t *length)
{
    size_t entry = (size_t)table + (size_t)index * 8u;
    uint32_t size = mo_word(mo, entry);
    uint32_t offset = mo_word(mo, entry + 4);
    if ((size_t)offset + size >= mo->size || mo->data[(size_t)offset + size] != '\0')
        return NULL;
    *length = size;
    return (const char *)mo->data + offset;
}

/* Reads the whole file into mo->data. 0, or -1. */
static int mo_read(struct i18n_mo *mo, const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return -1;
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0)
        size = ftell(file);
    if (size < 28 || (unsigned long)size > MO_MAX_SIZE || fseek(file, 0, SEEK_SET) != 0) {
        fclose(file);
        return -1;
    }
    mo->data = malloc((size_t)size);
    mo->size = (size_t)size;
    int failed = mo->data == NULL || fread(mo->data, 1, mo->size, file) != mo->size;
    fclose(file);
    return failed ? -1 : 0;
}

int i18n_mo_load(struct i18n_mo *mo, const char *path)
{
    memset(mo, 0, sizeof(*mo));
    if (mo_read(mo, path) != 0)
        goto invalid;
    uint32_t magic;
    memcpy(&magic, mo->data, sizeof(magic));
    if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
        goto invalid;
    mo->swapped = magic == MO_MAGIC_SWAPPED;
    mo->count = mo_word(mo, 8);
    mo->originals = mo_word(mo, 12);
    mo->translations = mo_word(mo, 16);
    size_t table_size = (size_t)mo->count * 8u;
    if (mo->count > mo->size / 16u || (size_t)mo->originals + table_size > mo->size ||
        (size_t)mo->translations + table_size > mo->size)
        goto invalid;
    for (uint32_t i = 0; i < mo->count; i++) {
        size_t length;
        if (mo_string(mo, mo->originals, i, &length) == NULL ||
            mo_string(mo, mo->translations, i, &length) == NULL)
            goto invalid;
    }
    return 0;
invalid:
    i18n_mo_free(mo);
    return -1;
}

const char *i18n_mo_find(const struct i18n_mo *mo, const char *key, size_t *length)
{
    uint32_t low = 0, high = mo->count;
    while (low < high) {
        uint32_t middle = low + (high - low) / 2;
        size_t original_length;
        const char *original = mo_string(mo, mo->originals, middle, &original_length);
        int order = strcmp(key, original); /* stops at the NUL before a plural msgid */
        if (order == 0) {
            const char *text = mo_string(mo, mo->translations, middle, length);
            return *length > 0 ? text : NULL;
        }
        if (order < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return NULL;
}

void i18n_mo_free(struct i18n_mo *mo)
{
    free(mo->data);
    memset(mo, 0, sizeof(*mo));
}
