/*
 * Text tables (see table.h). Widths are counted in characters, not bytes, so
 * names in Bosnian, Croatian or Serbian (Latin or Cyrillic) stay aligned.
 */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"

void table_init(struct table *table, size_t columns)
{
    table->columns = columns;
    table->rows = 0;
    table->cells = NULL;
}

int table_add(struct table *table, const char *const *cells)
{
    char **grown = realloc(table->cells, (table->rows + 1) * table->columns * sizeof(*grown));
    if (grown == NULL)
        return -1;
    table->cells = grown;
    char **row = grown + table->rows * table->columns;
    for (size_t c = 0; c < table->columns; c++) {
        row[c] = strdup(cells[c] != NULL ? cells[c] : "");
        if (row[c] == NULL) {
            while (c-- > 0)
                free(row[c]);
            return -1;
        }
    }
    table->rows++;
    return 0;
}

void table_print(const struct table *table, FILE *out, int indent)
{
    size_t widths[16] = { 0 };
    size_t columns = table->columns < 16 ? table->columns : 16;
    for (size_t r = 0; r < table->rows; r++)
        for (size_t c = 0; c < columns; c++) {
            size_t width = output_width(table->cells[r * table->columns + c]);
            if (width > widths[c])
                widths[c] = width;
        }
    for (size_t r = 0; r < table->rows; r++) {
        const char *const *row = (const char *const *)table->cells + r * table->columns;
        size_t used = columns; /* no padding after the last non-empty cell */
        while (used > 0 && row[used - 1][0] == '\0')
            used--;
        fprintf(out, "%*s", indent, "");
        for (size_t c = 0; c < used; c++) {
            const char *cell = row[c];
            output_text(out, cell);
            if (c + 1 < used)
                fprintf(out, "%*s", (int)(widths[c] - output_width(cell) + 2), "");
        }
        fputc('\n', out);
    }
}

void table_free(struct table *table)
{
    for (size_t i = 0; i < table->rows * table->columns; i++)
        free(table->cells[i]);
    free(table->cells);
    table->cells = NULL;
    table->rows = 0;
}
