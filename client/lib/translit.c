/*
 * Serbian Latin to Cyrillic (see translit.h). Works on UTF-8, token by token: a
 * token is kept whole when it is a code or a name, else its letters are mapped one by
 * one (the digraphs first), skipping printf conversions.
 */
#include "translit.h"

#include <ctype.h>
#include <string.h>

/* Latin letters (UTF-8) and their Cyrillic letters; digraphs first. */
static const char *const translit_table[][2] = {
    { "lj", "љ" }, { "Lj", "Љ" }, { "LJ", "Љ" }, { "nj", "њ" }, { "Nj", "Њ" }, { "NJ", "Њ" },
    { "dž", "џ" }, { "Dž", "Џ" }, { "DŽ", "Џ" },
    { "a", "а" }, { "b", "б" }, { "c", "ц" }, { "č", "ч" }, { "ć", "ћ" }, { "d", "д" },
    { "đ", "ђ" }, { "e", "е" }, { "f", "ф" }, { "g", "г" }, { "h", "х" }, { "i", "и" },
    { "j", "ј" }, { "k", "к" }, { "l", "л" }, { "m", "м" }, { "n", "н" }, { "o", "о" },
    { "p", "п" }, { "r", "р" }, { "s", "с" }, { "š", "ш" }, { "t", "т" }, { "u", "у" },
    { "v", "в" }, { "z", "з" }, { "ž", "ж" },
    { "A", "А" }, { "B", "Б" }, { "C", "Ц" }, { "Č", "Ч" }, { "Ć", "Ћ" }, { "D", "Д" },
    { "Đ", "Ђ" }, { "E", "Е" }, { "F", "Ф" }, { "G", "Г" }, { "H", "Х" }, { "I", "И" },
    { "J", "Ј" }, { "K", "К" }, { "L", "Л" }, { "M", "М" }, { "N", "Н" }, { "O", "О" },
    { "P", "П" }, { "R", "Р" }, { "S", "С" }, { "Š", "Ш" }, { "T", "Т" }, { "U", "У" },
    { "V", "В" }, { "Z", "З" }, { "Ž", "Ж" },
};

/* Words kept in Latin script (acronyms and names of formats and programs). */
static const char *const translit_kept[] = {
    "PDF", "JSON", "TLS", "UUID", "CA", "ID", "URL", "CSV", "SHA", "PEM", "HOST", "PORT",
    "ISO", "UTF", "PNG", "SQL", "YYYY", "N", "spona", "Spona",
    /* placeholders of the command line, as --help writes them */
    "COMMAND", "SUBCOMMAND", "ARGUMENTS", "OPTIONS", "TEXT", "CAT", "FILE", "LANG", "HOST",
    "NAME", "CODE", "CURSOR", "DATE", "REASON", "S", "G",
    NULL,
};

/* Word beginnings (lower case) in which lj, nj or dž are two letters. */
static const char *const translit_split[] = {
    "injekc", "konjug", "konjunk", "nadž", "podž", "predž", "vanjezi", NULL,
};

/* Length of the printf conversion at text ('%'), or 0 when it is not one. */
static size_t translit_conversion(const char *text)
{
    if (text[0] != '%')
        return 0;
    if (text[1] == '%')
        return 2;
    size_t i = 1 + strspn(text + 1, "0123456789$-+ #.*'");
    i += strspn(text + i, "hlLqjzt");
    return text[i] != '\0' && strchr("sdiufFeEgGxXoucpn", text[i]) != NULL ? i + 1 : 0;
}

/*
 * 1 when a '/' after before bytes of a word, with after bytes left, writes both genders
 * ("zaposlen/a", "odustao/la"): a word of letters, then one to three small letters.
 */
static int translit_gender_ending(const char *word, size_t before, size_t after)
{
    if (before == 0 || after == 0 || after > 3)
        return 0;
    for (size_t i = 0; i < before; i++)
        if (isdigit((unsigned char)word[i]) || strchr("_./@=<>$[{|-", word[i]) != NULL)
            return 0;
    for (size_t i = before + 1; i <= before + after; i++)
        if (!islower((unsigned char)word[i]))
            return 0;
    return 1;
}

/* 1 when the token (length bytes) is a code or name to keep in Latin. */
static int translit_keep(const char *token, size_t length)
{
    size_t start = 0, end = length;
    while (start < end && strchr("(\"'", token[start]) != NULL)
        start++;
    while (end > start && strchr(")\"'.,:;!?", token[end - 1]) != NULL)
        end--;
    if (start == end)
        return 0;
    if (token[start] == '-')
        return 1;
    for (size_t i = start; i < end; i++) {
        size_t skip = translit_conversion(token + i);
        if (skip > 0) {
            i += skip - 1;
            continue;
        }
        if (token[i] == '/' && translit_gender_ending(token + start, i - start, end - i - 1))
            continue;
        if (isdigit((unsigned char)token[i]) || strchr("_./@=<>$[{|qwxyQWXY", token[i]) != NULL)
            return 1;
    }
    for (size_t i = 0; translit_kept[i] != NULL; i++)
        if (strlen(translit_kept[i]) == end - start &&
            strncmp(translit_kept[i], token + start, end - start) == 0)
            return 1;
    return 0;
}

/* 1 when the token's word begins with one of translit_split (case as written, or upper). */
static int translit_split_digraphs(const char *token, size_t length)
{
    char lower[32];
    size_t start = strspn(token, "(\"'");
    size_t n = 0;
    for (size_t i = start; i < length && n + 1 < sizeof(lower); i++)
        lower[n++] = (char)tolower((unsigned char)token[i]);
    lower[n] = '\0';
    for (size_t i = 0; translit_split[i] != NULL; i++)
        if (strncmp(lower, translit_split[i], strlen(translit_split[i])) == 0)
            return 1;
    return 0;
}

/* Appends length bytes to out at *used. 0, or -1 when out is full. */
static int translit_put(char *out, size_t out_size, size_t *used, const char *text,
                        size_t length)
{
    if (*used + length >= out_size)
        return -1;
    memcpy(out + *used, text, length);
    *used += length;
    return 0;
}

/* Transliterates one token's letters into out. 0, or -1 when out is full. */
static int translit_token(const char *token, size_t length, char *out, size_t out_size,
                          size_t *used)
{
    int split = translit_split_digraphs(token, length);
    for (size_t i = 0; i < length;) {
        size_t skip = translit_conversion(token + i);
        if (skip > 0 && i + skip <= length) {
            if (translit_put(out, out_size, used, token + i, skip) != 0)
                return -1;
            i += skip;
            continue;
        }
        size_t k = split ? 9 : 0; /* with split: no digraphs (the first nine rows) */
        size_t rows = sizeof(translit_table) / sizeof(translit_table[0]);
        for (; k < rows; k++) {
            size_t latin = strlen(translit_table[k][0]);
            if (i + latin <= length && strncmp(token + i, translit_table[k][0], latin) == 0)
                break;
        }
        const char *text = k < rows ? translit_table[k][1] : token + i;
        size_t text_length = k < rows ? strlen(text) : 1;
        if (translit_put(out, out_size, used, text, text_length) != 0)
            return -1;
        i += k < rows ? strlen(translit_table[k][0]) : 1;
    }
    return 0;
}

long translit_latin_to_cyrillic(const char *text, char *out, size_t out_size)
{
    size_t used = 0;
    if (out_size == 0)
        return -1;
    for (size_t i = 0; text[i] != '\0';) {
        size_t verbatim = 0;
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')
            verbatim = 1;
        else if (text[i] == '\\')
            verbatim = text[i + 1] != '\0' ? 2 : 1;
        else if (text[i] == '`') {
            const char *close = strchr(text + i + 1, '`');
            verbatim = close != NULL ? (size_t)(close - (text + i)) + 1 : strlen(text + i);
        }
        if (verbatim > 0) {
            if (translit_put(out, out_size, &used, text + i, verbatim) != 0)
                return -1;
            i += verbatim;
            continue;
        }
        size_t length = strcspn(text + i, " \t\n\\`");
        int failed = translit_keep(text + i, length)
                         ? translit_put(out, out_size, &used, text + i, length)
                         : translit_token(text + i, length, out, out_size, &used);
        if (failed != 0)
            return -1;
        i += length;
    }
    out[used] = '\0';
    return (long)used;
}
