/*
 * Serbian Latin to Serbian Cyrillic (docs/i18n.md, "One source for Serbian"): the sr
 * catalog is made from sr@latin by the build, never maintained by hand. Letters and the
 * digraphs lj, nj, dž (Lj, LJ ...) become Cyrillic; left as they are: printf conversions
 * (%s, %1$s, %llu, %%), C escapes (\n, \"), text between backquotes (commands), and
 * words that are codes or names: with a digit, '_', '.', '/', '@', '=', '<', '>', '$',
 * '[', '{', or a leading '-', with q, w, x or y (not Serbian letters), or in the list of
 * kept words (PDF, JSON, TLS, UUID, and the command line's placeholders
 * COMMAND, TEXT, FILE, ...). Words where lj/nj/dž are two letters
 * (injekcija, nadživjeti, podžupan, ...) are spelled letter by letter.
 */
#ifndef SPONA_TRANSLIT_H
#define SPONA_TRANSLIT_H

#include <stddef.h>

/*
 * Writes text transliterated to out (NUL-terminated). Returns the length written, or
 * -1 when out_size is too small (Cyrillic takes at most twice the bytes of Latin).
 */
long translit_latin_to_cyrillic(const char *text, char *out, size_t out_size);

#endif
