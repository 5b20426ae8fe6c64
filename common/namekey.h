/*
 * Search keys for personal names written in Latin or Cyrillic script, so that
 * "Савић", "Savić", "Savic" and "SAVIC" all give "savic", and "Ђорђевић",
 * "Đorđević" and "Djordjevic" give "djordjevic" (docs/domain.md):
 * Cyrillic to Latin (one-to-one, Serbian/Macedonian letters), lower case, đ to
 * "dj", diacritics dropped, the ǅ/ǈ/ǋ ligatures split, runs of spaces, hyphens
 * and apostrophes collapsed to one space. The name itself is stored as written;
 * only the key is derived. Pure logic, no locale.
 */
#ifndef SPONA_NAMEKEY_H
#define SPONA_NAMEKEY_H

#include <stddef.h>

/*
 * Writes the key of a UTF-8 name into out (NUL-terminated). Characters with no
 * mapping (digits, other scripts) are kept lower-cased when ASCII and dropped
 * otherwise. Returns the key's length, or -1 when the input is not valid UTF-8
 * or out is too small.
 */
int namekey_make(const char *name, char *out, size_t out_size);

/* The looser key: the strict key with "dj" as "d" (finds "Dordevic" for "Đorđević"). */
int namekey_make_loose(const char *name, char *out, size_t out_size);

#endif
