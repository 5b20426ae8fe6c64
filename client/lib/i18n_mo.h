/*
 * A reader of GNU .mo catalogs (the files msgfmt writes): the whole file in memory,
 * checked once, then binary search of its sorted originals. Used by i18n.c; needs no
 * installed locale, which is why Spona does not go through setlocale and libintl.
 */
#ifndef SPONA_I18N_MO_H
#define SPONA_I18N_MO_H

#include <stddef.h>
#include <stdint.h>

struct i18n_mo {
    unsigned char *data;
    size_t size;
    uint32_t count;       /* strings */
    uint32_t originals;   /* offset of the originals' table */
    uint32_t translations;
    int swapped;          /* written on a machine of the other byte order */
};

/* Reads path. 0, or -1 (cannot read, not a .mo file, or an offset out of bounds). */
int i18n_mo_load(struct i18n_mo *mo, const char *path);

/*
 * The translation of key ("msgid", or "context\004msgid"): its bytes (plural forms
 * separated by NUL) and their length in *length, or NULL when the catalog has none
 * or the translation is empty.
 */
const char *i18n_mo_find(const struct i18n_mo *mo, const char *key, size_t *length);

void i18n_mo_free(struct i18n_mo *mo);

#endif
