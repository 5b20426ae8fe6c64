/*
 * Languages of the Spona clients (docs/i18n.md): bs, hr, sr-Latn, sr-Cyrl and en, from
 * gettext catalogs (po/, compiled to spona.mo by the build). The CLI marks its strings
 * with _() and N_(), plurals with i18n_n(), and labels of the protocol's codes (stages,
 * statuses, categories, measure kinds) come from i18n_code_label. A string without a
 * translation is shown in English, as written in the source. The desktop client uses the
 * same catalogs and functions.
 */
#ifndef SPONA_I18N_H
#define SPONA_I18N_H

#include <stddef.h>

enum i18n_language {
    I18N_EN,
    I18N_BS,
    I18N_HR,
    I18N_SR_LATN,
    I18N_SR_CYRL,
};

/*
 * A language from its name: "bs", "hr", "sr-Latn", "sr-Cyrl", "en" (any case, '_' for
 * '-'), a catalog's name ("sr@latin", "sr"), or a locale ("bs_BA.UTF-8",
 * "sr_RS@latin"; "sr_RS" is Cyrillic, as glibc's; "C" and "POSIX" are English).
 * Returns 0, or -1 for a language Spona does not have.
 */
int i18n_parse_language(const char *name, enum i18n_language *out);

/* The language of the locale: LC_ALL, else LC_MESSAGES, else LANG; English otherwise. */
enum i18n_language i18n_language_from_locale(void);

/* "bs", "hr", "sr-Latn", "sr-Cyrl", "en". */
const char *i18n_language_tag(enum i18n_language language);

/* The catalog directory's name: "bs", "hr", "sr@latin", "sr", "en". */
const char *i18n_catalog_name(enum i18n_language language);

/*
 * Where the catalogs are: $SPONA_LOCALEDIR when set; the build tree's locale/ when the
 * running program is in the build tree (the tests); else the installation's localedir,
 * found from the program's directory (../share/locale) or as configured.
 */
const char *i18n_localedir(void);

/*
 * Uses language from now on: loads localedir/CATALOG/LC_MESSAGES/spona.mo (localedir
 * NULL: i18n_localedir()). Returns 0, or -1 when the catalog cannot be read (then
 * English is used). English needs no catalog. Not thread-safe: call before threads.
 */
int i18n_select(enum i18n_language language, const char *localedir);

/* The language in use. */
enum i18n_language i18n_current(void);

/* The translation of msgid, or msgid itself. */
const char *i18n_gettext(const char *msgid) __attribute__((format_arg(1)));

/* The translation of singular/plural for count n (the language's plural rule). */
const char *i18n_ngettext(const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));

/* The translation of msgid in context (msgctxt), or msgid itself. */
const char *i18n_pgettext(const char *context, const char *msgid)
    __attribute__((format_arg(2)));

/*
 * The label of a protocol code of kind ("stage", "goal_status", "measure_kind", ...):
 * its translation in context kind, or the code itself when the catalog has none.
 */
const char *i18n_code_label(const char *kind, const char *code);

/* The plural form index of n in language (0 .. forms-1), as the catalogs' Plural-Forms. */
unsigned i18n_plural_index(enum i18n_language language, unsigned long n);

#define _(s) i18n_gettext(s)
#define N_(s) (s)
#define NC_(context, s) (s)
#define i18n_n(singular, plural, n) i18n_ngettext(singular, plural, n)

#endif
