/*
 * Text tables for the CLI's output (explain, disclosures, consent list, a
 * case's team): rows of cells, printed in columns padded to the widest cell,
 * the first row being the header. Cells are copied; text from the server is
 * printed through output_text, so it cannot drive the terminal.
 */
#ifndef SPONA_CLI_TABLE_H
#define SPONA_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table {
    size_t columns;
    size_t rows;
    char **cells; /* rows * columns, owned */
};

void table_init(struct table *table, size_t columns);

/* Adds a row of table->columns cells (a NULL cell is empty). 0, or -1 when out of memory. */
int table_add(struct table *table, const char *const *cells);

/* Prints the table, each line indented by indent spaces; the last column is not padded. */
void table_print(const struct table *table, FILE *out, int indent);

void table_free(struct table *table);

#endif
