/*
 * Name search keys (see namekey.h). One table maps each code point we know to
 * its lower-case ASCII spelling; everything else is handled by the rules in
 * namekey_make.
 */
#include "namekey.h"

#include <stdint.h>
#include <string.h>

struct namekey_map {
    uint32_t code_point;
    const char *ascii;
};

/* Sorted by code point (binary search). */
static const struct namekey_map namekey_table[] = {
    {0x00C0, "a"},  {0x00C1, "a"},  {0x00C2, "a"},  {0x00C3, "a"},  {0x00C4, "a"},
    {0x00C5, "a"},  {0x00C6, "ae"}, {0x00C7, "c"},  {0x00C8, "e"},  {0x00C9, "e"},
    {0x00CA, "e"},  {0x00CB, "e"},  {0x00CC, "i"},  {0x00CD, "i"},  {0x00CE, "i"},
    {0x00CF, "i"},  {0x00D1, "n"},  {0x00D2, "o"},  {0x00D3, "o"},  {0x00D4, "o"},
    {0x00D5, "o"},  {0x00D6, "o"},  {0x00D8, "o"},  {0x00D9, "u"},  {0x00DA, "u"},
    {0x00DB, "u"},  {0x00DC, "u"},  {0x00DD, "y"},  {0x00DF, "ss"}, {0x00E0, "a"},
    {0x00E1, "a"},  {0x00E2, "a"},  {0x00E3, "a"},  {0x00E4, "a"},  {0x00E5, "a"},
    {0x00E6, "ae"}, {0x00E7, "c"},  {0x00E8, "e"},  {0x00E9, "e"},  {0x00EA, "e"},
    {0x00EB, "e"},  {0x00EC, "i"},  {0x00ED, "i"},  {0x00EE, "i"},  {0x00EF, "i"},
    {0x00F1, "n"},  {0x00F2, "o"},  {0x00F3, "o"},  {0x00F4, "o"},  {0x00F5, "o"},
    {0x00F6, "o"},  {0x00F8, "o"},  {0x00F9, "u"},  {0x00FA, "u"},  {0x00FB, "u"},
    {0x00FC, "u"},  {0x00FD, "y"},  {0x00FF, "y"},  {0x0106, "c"},  {0x0107, "c"},
    {0x010C, "c"},  {0x010D, "c"},  {0x0110, "dj"}, {0x0111, "dj"}, {0x011A, "e"},
    {0x011B, "e"},  {0x0141, "l"},  {0x0142, "l"},  {0x0143, "n"},  {0x0144, "n"},
    {0x0147, "n"},  {0x0148, "n"},  {0x0150, "o"},  {0x0151, "o"},  {0x0158, "r"},
    {0x0159, "r"},  {0x015A, "s"},  {0x015B, "s"},  {0x0160, "s"},  {0x0161, "s"},
    {0x0164, "t"},  {0x0165, "t"},  {0x016E, "u"},  {0x016F, "u"},  {0x0170, "u"},
    {0x0171, "u"},  {0x0179, "z"},  {0x017A, "z"},  {0x017B, "z"},  {0x017C, "z"},
    {0x017D, "z"},  {0x017E, "z"},  {0x01C4, "dz"}, {0x01C5, "dz"}, {0x01C6, "dz"},
    {0x01C7, "lj"}, {0x01C8, "lj"}, {0x01C9, "lj"}, {0x01CA, "nj"}, {0x01CB, "nj"},
    {0x01CC, "nj"},
    /* Cyrillic: Serbian and Macedonian letters, upper then lower case */
    {0x0402, "dj"}, {0x0403, "gj"}, {0x0405, "dz"}, {0x0408, "j"},  {0x0409, "lj"},
    {0x040A, "nj"}, {0x040B, "c"},  {0x040C, "kj"}, {0x040F, "dz"}, {0x0410, "a"},
    {0x0411, "b"},  {0x0412, "v"},  {0x0413, "g"},  {0x0414, "d"},  {0x0415, "e"},
    {0x0416, "z"},  {0x0417, "z"},  {0x0418, "i"},  {0x041A, "k"},  {0x041B, "l"},
    {0x041C, "m"},  {0x041D, "n"},  {0x041E, "o"},  {0x041F, "p"},  {0x0420, "r"},
    {0x0421, "s"},  {0x0422, "t"},  {0x0423, "u"},  {0x0424, "f"},  {0x0425, "h"},
    {0x0426, "c"},  {0x0427, "c"},  {0x0428, "s"},  {0x0430, "a"},  {0x0431, "b"},
    {0x0432, "v"},  {0x0433, "g"},  {0x0434, "d"},  {0x0435, "e"},  {0x0436, "z"},
    {0x0437, "z"},  {0x0438, "i"},  {0x043A, "k"},  {0x043B, "l"},  {0x043C, "m"},
    {0x043D, "n"},  {0x043E, "o"},  {0x043F, "p"},  {0x0440, "r"},  {0x0441, "s"},
    {0x0442, "t"},  {0x0443, "u"},  {0x0444, "f"},  {0x0445, "h"},  {0x0446, "c"},
    {0x0447, "c"},  {0x0448, "s"},  {0x0452, "dj"}, {0x0453, "gj"}, {0x0455, "dz"},
    {0x0458, "j"},  {0x0459, "lj"}, {0x045A, "nj"}, {0x045B, "c"},  {0x045C, "kj"},
    {0x045F, "dz"},
};

static const char *namekey_lookup(uint32_t code_point)
{
    size_t low = 0, high = sizeof(namekey_table) / sizeof(namekey_table[0]);
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (namekey_table[middle].code_point == code_point)
            return namekey_table[middle].ascii;
        if (namekey_table[middle].code_point < code_point)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

/* Decodes one UTF-8 sequence; returns its length, or -1 when malformed. */
static int utf8_decode(const unsigned char *text, uint32_t *code_point)
{
    unsigned char lead = text[0];
    int length;
    uint32_t value;
    if (lead < 0x80) {
        *code_point = lead;
        return 1;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2;
        value = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        value = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        value = lead & 0x07;
    } else {
        return -1;
    }
    for (int i = 1; i < length; i++) {
        if ((text[i] & 0xC0) != 0x80)
            return -1;
        value = (value << 6) | (text[i] & 0x3F);
    }
    static const uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < minimum[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return -1; /* overlong, out of range or a surrogate */
    *code_point = value;
    return length;
}

/* Combining diacritical marks (what NFKD would split off) are dropped. */
static int is_combining(uint32_t code_point)
{
    return code_point >= 0x0300 && code_point <= 0x036F;
}

static int is_separator(uint32_t code_point)
{
    return code_point == ' ' || code_point == '\t' || code_point == '-' ||
           code_point == '\'' || code_point == 0x2019 || code_point == 0x00A0 ||
           code_point == '\n' || code_point == '\r';
}

int namekey_make(const char *name, char *out, size_t out_size)
{
    const unsigned char *cursor = (const unsigned char *)name;
    size_t used = 0;
    int pending_space = 0;
    if (out_size == 0)
        return -1;
    while (*cursor != '\0') {
        uint32_t code_point;
        int length = utf8_decode(cursor, &code_point);
        if (length < 0)
            return -1;
        cursor += length;
        if (is_separator(code_point)) {
            pending_space = used > 0;
            continue;
        }
        char ascii_letter[2] = {0, 0};
        const char *piece = NULL;
        if (code_point < 0x80) {
            char c = (char)code_point;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                ascii_letter[0] = c;
                piece = ascii_letter;
            }
        } else if (!is_combining(code_point)) {
            piece = namekey_lookup(code_point);
        }
        if (piece == NULL)
            continue;
        size_t piece_length = strlen(piece);
        if (used + (size_t)pending_space + piece_length + 1 > out_size)
            return -1;
        if (pending_space)
            out[used++] = ' ';
        pending_space = 0;
        memcpy(out + used, piece, piece_length);
        used += piece_length;
    }
    out[used] = '\0';
    return (int)used;
}

int namekey_make_loose(const char *name, char *out, size_t out_size)
{
    int length = namekey_make(name, out, out_size);
    if (length < 0)
        return -1;
    size_t write = 0;
    for (size_t read = 0; out[read] != '\0'; read++) {
        if (out[read] == 'd' && out[read + 1] == 'j') {
            out[write++] = 'd';
            read++;
            continue;
        }
        out[write++] = out[read];
    }
    out[write] = '\0';
    return (int)write;
}
