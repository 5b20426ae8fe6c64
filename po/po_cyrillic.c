/*
 * spona-po-cyrillic: makes the Serbian Cyrillic catalog (sr.po) from the Serbian Latin
 * one (sr@latin.po) at build time (docs/i18n.md, "One source for Serbian"). Every
 * msgstr is transliterated with translit.c; msgids, contexts, comments and the header
 * stay, but for the header's Language line. A mnemonic label (a msgid without context
 * that has one '_' before a letter, begins with '_' or a capital, and has no '%', '=' or
 * "--": "_My cases", "In_box") is transliterated around its '_', which translit.c would
 * otherwise take for the mark of a code and leave the word in Latin.
 *
 *   spona-po-cyrillic sr@latin.po sr.po
 */
#include <stdio.h>
#include <string.h>

#include "translit.h"

#define LINE_MAX_BYTES 16384

/* 1 when msgid (the text between the quotes of its line) is a mnemonic label. */
static int is_mnemonic(const char *msgid_line)
{
    const char *open = strchr(msgid_line, '"');
    const char *close = strrchr(msgid_line, '"');
    if (open == NULL || close == open)
        return 0;
    const char *text = open + 1;
    const char *mark = memchr(text, '_', (size_t)(close - text));
    if (mark == NULL || mark + 1 >= close || memchr(mark + 1, '_', (size_t)(close - mark - 1)))
        return 0;
    for (const char *c = text; c < close; c++)
        if (*c == '%' || *c == '=' || (c[0] == '-' && c[1] == '-'))
            return 0;
    int letter_after = (mark[1] >= 'a' && mark[1] <= 'z') || (mark[1] >= 'A' && mark[1] <= 'Z');
    return letter_after && (text[0] == '_' || (text[0] >= 'A' && text[0] <= 'Z'));
}

/* Transliterates text into out, the pieces between '_' apart when mnemonic. */
static long convert_text(const char *text, int mnemonic, char *out, size_t size)
{
    const char *mark = mnemonic ? strchr(text, '_') : NULL;
    if (mark == NULL)
        return translit_latin_to_cyrillic(text, out, size);
    char before[LINE_MAX_BYTES];
    snprintf(before, sizeof(before), "%.*s", (int)(mark - text), text);
    long used = translit_latin_to_cyrillic(before, out, size);
    if (used < 0 || (size_t)used + 2 > size)
        return -1;
    out[used++] = '_';
    long rest = translit_latin_to_cyrillic(mark + 1, out + used, size - (size_t)used);
    return rest < 0 ? -1 : used + rest;
}

/* Writes line (one of a msgstr) with the text between its first and last '"' changed. */
static int convert_line(const char *line, int mnemonic, FILE *out)
{
    const char *open = strchr(line, '"');
    const char *close = strrchr(line, '"');
    if (open == NULL || close == open)
        return fputs(line, out) < 0 ? -1 : 0;
    char text[LINE_MAX_BYTES];
    char cyrillic[2 * LINE_MAX_BYTES + 1];
    snprintf(text, sizeof(text), "%.*s", (int)(close - open - 1), open + 1);
    if (convert_text(text, mnemonic, cyrillic, sizeof(cyrillic)) < 0)
        return -1;
    return fprintf(out, "%.*s\"%s%s", (int)(open - line), line, cyrillic, close) < 0 ? -1 : 0;
}

/* Copies a header line, naming the Cyrillic catalog's language. */
static int header_line(const char *line, FILE *out)
{
    if (strstr(line, "\"Language: sr@latin\\n\"") != NULL)
        return fputs("\"Language: sr\\n\"\n", out) < 0 ? -1 : 0;
    return fputs(line, out) < 0 ? -1 : 0;
}

static int convert(FILE *in, FILE *out)
{
    char line[LINE_MAX_BYTES];
    int in_msgstr = 0, header = 0, empty_msgid = 0, has_context = 0, mnemonic = 0;
    while (fgets(line, sizeof(line), in) != NULL) {
        if (strlen(line) == sizeof(line) - 1 && line[sizeof(line) - 2] != '\n')
            return -1; /* a line too long to convert whole */
        int continuation = line[0] == '"';
        if (strncmp(line, "msgstr", 6) == 0) {
            in_msgstr = 1;
            header = empty_msgid && !has_context;
        } else if (!continuation) {
            in_msgstr = 0;
            if (strncmp(line, "msgctxt ", 8) == 0)
                has_context = 1;
            if (strncmp(line, "msgid ", 6) == 0) {
                empty_msgid = strcmp(line, "msgid \"\"\n") == 0;
                mnemonic = !has_context && is_mnemonic(line);
            }
            if (line[0] == '\n')
                has_context = 0;
        } else if (!in_msgstr) {
            empty_msgid = 0; /* a msgid continued on more lines is not empty */
            mnemonic = 0;
        }
        int rc = !in_msgstr ? (fputs(line, out) < 0 ? -1 : 0)
                 : header   ? header_line(line, out)
                            : convert_line(line, mnemonic, out);
        if (rc != 0)
            return -1;
    }
    return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: spona-po-cyrillic SR_LATIN_PO SR_PO\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    FILE *out = in != NULL ? fopen(argv[2], "w") : NULL;
    int rc = in != NULL && out != NULL ? convert(in, out) : -1;
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "spona-po-cyrillic: cannot convert %s into %s\n", argv[1], argv[2]);
        remove(argv[2]);
        return 1;
    }
    return 0;
}
