/*
 * Languages of the Spona clients (see i18n.h): which language, where its catalog is,
 * and the lookups behind _(), i18n_n() and i18n_code_label().
 */
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "i18n_mo.h"

#ifndef SPONA_INSTALL_LOCALEDIR
#define SPONA_INSTALL_LOCALEDIR "/usr/local/share/locale"
#endif

static enum i18n_language i18n_language_in_use = I18N_EN;
static struct i18n_mo i18n_catalog;

static const struct {
    const char *tag;     /* i18n_language_tag */
    const char *catalog; /* directory under localedir */
} i18n_languages[] = {
    [I18N_EN] = { "en", "en" },
    [I18N_BS] = { "bs", "bs" },
    [I18N_HR] = { "hr", "hr" },
    [I18N_SR_LATN] = { "sr-Latn", "sr@latin" },
    [I18N_SR_CYRL] = { "sr-Cyrl", "sr" },
};

const char *i18n_language_tag(enum i18n_language language)
{
    return i18n_languages[language].tag;
}

const char *i18n_catalog_name(enum i18n_language language)
{
    return i18n_languages[language].catalog;
}

/* A language tag: "sr-Latn", "sr_cyrl", "sr@latin", ... 0, or -1. */
static int i18n_parse_tag(const char *name, enum i18n_language *out)
{
    for (size_t i = 0; i < sizeof(i18n_languages) / sizeof(i18n_languages[0]); i++) {
        const char *tag = i18n_languages[i].tag;
        size_t length = strlen(tag);
        if (strlen(name) != length)
            continue;
        int same = 1;
        for (size_t k = 0; k < length && same; k++) {
            char a = name[k] == '_' ? '-' : name[k];
            same = (a | 0x20) == (tag[k] | 0x20);
        }
        if (same) {
            *out = (enum i18n_language)i;
            return 0;
        }
    }
    if (strcasecmp(name, "sr@latin") == 0) {
        *out = I18N_SR_LATN;
        return 0;
    }
    return -1;
}

int i18n_parse_language(const char *name, enum i18n_language *out)
{
    if (name == NULL || name[0] == '\0')
        return -1;
    if (i18n_parse_tag(name, out) == 0)
        return 0;
    if (strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0 || strncmp(name, "C.", 2) == 0) {
        *out = I18N_EN;
        return 0;
    }
    /* a locale: language[_territory][.codeset][@modifier] */
    char language[4] = "";
    size_t length = strspn(name, "abcdefghijklmnopqrstuvwxyz");
    if (length < 2 || length > 3 || (name[length] != '\0' && strchr("_.@", name[length]) == NULL))
        return -1;
    memcpy(language, name, length);
    const char *modifier = strchr(name, '@');
    if (strcmp(language, "sr") == 0)
        *out = modifier != NULL && strcasecmp(modifier, "@latin") == 0 ? I18N_SR_LATN
                                                                        : I18N_SR_CYRL;
    else if (strcmp(language, "bs") == 0)
        *out = I18N_BS;
    else if (strcmp(language, "hr") == 0)
        *out = I18N_HR;
    else if (strcmp(language, "en") == 0)
        *out = I18N_EN;
    else
        return -1;
    return 0;
}

enum i18n_language i18n_language_from_locale(void)
{
    const char *variables[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++) {
        const char *value = getenv(variables[i]);
        if (value == NULL || value[0] == '\0')
            continue;
        enum i18n_language language;
        return i18n_parse_language(value, &language) == 0 ? language : I18N_EN;
    }
    return I18N_EN;
}

const char *i18n_localedir(void)
{
    const char *given = getenv("SPONA_LOCALEDIR");
    if (given != NULL && given[0] == '/')
        return given;
    static char program[4096], beside[4200];
    ssize_t length = readlink("/proc/self/exe", program, sizeof(program) - 1);
    if (length <= 0)
        return SPONA_INSTALL_LOCALEDIR;
    program[length] = '\0';
#if defined(SPONA_BUILD_DIR) && defined(SPONA_BUILD_LOCALEDIR)
    size_t build_length = strlen(SPONA_BUILD_DIR);
    if ((size_t)length > build_length && strncmp(program, SPONA_BUILD_DIR, build_length) == 0 &&
        program[build_length] == '/')
        return SPONA_BUILD_LOCALEDIR;
#endif
#ifdef SPONA_LOCALEDIR_FROM_BINDIR
    /* installed under another prefix than configured (cmake --install --prefix) */
    char *slash = strrchr(program, '/');
    if (slash != NULL) {
        *slash = '\0';
        snprintf(beside, sizeof(beside), "%s/%s", program, SPONA_LOCALEDIR_FROM_BINDIR);
        if (access(beside, R_OK | X_OK) == 0)
            return beside;
    }
#endif
    return SPONA_INSTALL_LOCALEDIR;
}

int i18n_select(enum i18n_language language, const char *localedir)
{
    i18n_mo_free(&i18n_catalog);
    i18n_language_in_use = language;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/spona.mo",
             localedir != NULL ? localedir : i18n_localedir(), i18n_catalog_name(language));
    if (i18n_mo_load(&i18n_catalog, path) != 0 && language != I18N_EN) {
        i18n_language_in_use = I18N_EN; /* English needs no catalog: the source strings */
        return -1;
    }
    return 0;
}

enum i18n_language i18n_current(void)
{
    return i18n_language_in_use;
}

const char *i18n_gettext(const char *msgid)
{
    size_t length;
    const char *text = i18n_mo_find(&i18n_catalog, msgid, &length);
    return text != NULL ? text : msgid;
}

unsigned i18n_plural_index(enum i18n_language language, unsigned long n)
{
    if (language == I18N_EN)
        return n != 1;
    /* bs, hr, sr: 1, 21, 31 ...; 2-4, 22-24 ...; the rest (Plural-Forms of the catalogs) */
    if (n % 10 == 1 && n % 100 != 11)
        return 0;
    if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20))
        return 1;
    return 2;
}

const char *i18n_ngettext(const char *singular, const char *plural, unsigned long n)
{
    size_t length;
    const char *text = i18n_mo_find(&i18n_catalog, singular, &length);
    if (text == NULL)
        return n == 1 ? singular : plural;
    unsigned index = i18n_plural_index(i18n_language_in_use, n);
    const char *end = text + length;
    for (unsigned i = 0; i < index; i++) {
        const char *next = text + strlen(text) + 1;
        if (next >= end)
            break; /* fewer forms than the rule: the last one */
        text = next;
    }
    return text;
}

const char *i18n_pgettext(const char *context, const char *msgid)
{
    char key[512];
    int written = snprintf(key, sizeof(key), "%s\004%s", context, msgid);
    if (written < 0 || (size_t)written >= sizeof(key))
        return msgid;
    size_t length;
    const char *text = i18n_mo_find(&i18n_catalog, key, &length);
    return text != NULL ? text : msgid;
}

const char *i18n_code_label(const char *kind, const char *code)
{
    if (code == NULL || code[0] == '\0')
        return code;
    return i18n_pgettext(kind, code);
}
