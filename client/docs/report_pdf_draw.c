/*
 * Drawing primitives of the printable report: safe, fitted text in DejaVu Sans,
 * boxes, rules, and whether a value is a number (report_pdf_draw.h). Draws
 * only what it is given; never decides what a report shows.
 */
#include "report_pdf_draw.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PDF_DRAW_ELLIPSIS "\xe2\x80\xa6" /* … */

void pdf_draw_font(cairo_t *cr, double size, enum pdf_weight weight)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           weight == PDF_WEIGHT_BOLD ? CAIRO_FONT_WEIGHT_BOLD
                                                     : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

void pdf_draw_colour(cairo_t *cr, struct pdf_colour colour)
{
    cairo_set_source_rgb(cr, colour.red, colour.green, colour.blue);
}

static int pdf_draw_continuation(unsigned char byte)
{
    return (byte & 0xC0) == 0x80;
}

/*
 * Length of the well-formed UTF-8 character at text (1 to 4), or 0 when the
 * bytes there are not one (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF).
 */
static size_t pdf_draw_character_length(const unsigned char *text)
{
    unsigned char lead = text[0];
    if (lead < 0x80)
        return 1;
    unsigned char low = 0x80, high = 0xBF;
    size_t length;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            low = 0xA0;
        else if (lead == 0xED)
            high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            low = 0x90;
        else if (lead == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    if (text[1] < low || text[1] > high)
        return 0;
    for (size_t i = 2; i < length; i++) {
        if (!pdf_draw_continuation(text[i]))
            return 0;
    }
    return length;
}

/* A control character: C0, DEL, or C1 (U+0080..U+009F, encoded C2 80..C2 9F). */
static int pdf_draw_control(const unsigned char *character, size_t length)
{
    if (length == 1)
        return character[0] < 0x20 || character[0] == 0x7F;
    return length == 2 && character[0] == 0xC2 && character[1] < 0xA0;
}

void pdf_draw_clean(const char *text, char *out, size_t out_size)
{
    const unsigned char *in = (const unsigned char *)(text != NULL ? text : "");
    size_t used = 0;
    while (*in != '\0') {
        size_t length = pdf_draw_character_length(in);
        if (length == 0 || pdf_draw_control(in, length)) {
            if (used + 1 >= out_size)
                break;
            out[used++] = '?';
            in += length == 0 ? 1 : length;
            continue;
        }
        if (used + length >= out_size)
            break;
        memcpy(out + used, in, length);
        used += length;
        in += length;
    }
    out[used] = '\0';
}

/* Width of text that is already clean. */
static double pdf_draw_clean_width(cairo_t *cr, const char *clean)
{
    cairo_text_extents_t extents;
    cairo_text_extents(cr, clean, &extents);
    return extents.x_advance;
}

double pdf_draw_text_width(cairo_t *cr, const char *text)
{
    char clean[PDF_DRAW_TEXT_MAX];
    pdf_draw_clean(text, clean, sizeof(clean));
    return pdf_draw_clean_width(cr, clean);
}

/* Cuts clean text (in a buffer of PDF_DRAW_TEXT_MAX) until it and "…" fit in max_width. */
static void pdf_draw_fit(cairo_t *cr, char *clean, double max_width)
{
    if (pdf_draw_clean_width(cr, clean) <= max_width)
        return;
    size_t length = strlen(clean);
    if (length + sizeof(PDF_DRAW_ELLIPSIS) > PDF_DRAW_TEXT_MAX)
        length = PDF_DRAW_TEXT_MAX - sizeof(PDF_DRAW_ELLIPSIS);
    for (;;) {
        while (length > 0 && pdf_draw_continuation((unsigned char)clean[length]))
            length--;
        memcpy(clean + length, PDF_DRAW_ELLIPSIS, sizeof(PDF_DRAW_ELLIPSIS));
        if (length == 0 || pdf_draw_clean_width(cr, clean) <= max_width)
            return;
        length--;
    }
}

void pdf_draw_text(cairo_t *cr, double x, double y, const char *text, enum pdf_align align,
                   double max_width)
{
    char clean[PDF_DRAW_TEXT_MAX];
    pdf_draw_clean(text, clean, sizeof(clean));
    if (max_width > 0)
        pdf_draw_fit(cr, clean, max_width);
    double width = pdf_draw_clean_width(cr, clean);
    if (align == PDF_ALIGN_CENTRE)
        x -= width / 2;
    else if (align == PDF_ALIGN_RIGHT)
        x -= width;
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, clean);
}

/* Width of the clean bytes start..end. */
static double pdf_draw_span_width(cairo_t *cr, const char *start, const char *end)
{
    char span[PDF_DRAW_TEXT_MAX];
    size_t length = (size_t)(end - start);
    memcpy(span, start, length);
    span[length] = '\0';
    return pdf_draw_clean_width(cr, span);
}

int pdf_draw_wrapped(cairo_t *cr, double x, double y, double width, double line_height,
                     const char *text)
{
    char clean[PDF_DRAW_TEXT_MAX];
    pdf_draw_clean(text, clean, sizeof(clean));
    int lines = 0;
    const char *start = clean;
    for (;;) {
        while (*start == ' ')
            start++;
        if (*start == '\0')
            return lines;
        const char *end = start + strcspn(start, " ");
        for (;;) {
            const char *next = end + strspn(end, " ");
            if (*next == '\0')
                break;
            const char *next_end = next + strcspn(next, " ");
            if (pdf_draw_span_width(cr, start, next_end) > width)
                break;
            end = next_end;
        }
        char line[PDF_DRAW_TEXT_MAX];
        memcpy(line, start, (size_t)(end - start));
        line[end - start] = '\0';
        pdf_draw_text(cr, x, y + lines * line_height, line, PDF_ALIGN_LEFT, width);
        lines++;
        start = end;
    }
}

void pdf_draw_box(cairo_t *cr, double x, double y, double width, double height,
                  struct pdf_colour colour)
{
    pdf_draw_colour(cr, colour);
    cairo_rectangle(cr, x, y, width, height);
    cairo_fill(cr);
}

void pdf_draw_rule(cairo_t *cr, double x1, double y1, double x2, double y2, double line_width,
                   struct pdf_colour colour)
{
    pdf_draw_colour(cr, colour);
    cairo_set_line_width(cr, line_width);
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, x2, y2);
    cairo_stroke(cr);
}

int pdf_draw_number(const char *value, double *number)
{
    if (value == NULL || !isdigit((unsigned char)value[0]))
        return 0;
    int points = 0;
    for (const char *c = value; *c != '\0'; c++) {
        if (isdigit((unsigned char)*c))
            continue;
        if (*c == '.' && points == 0 && isdigit((unsigned char)c[1])) {
            points++;
            continue;
        }
        return 0;
    }
    *number = strtod(value, NULL);
    return isfinite(*number);
}
