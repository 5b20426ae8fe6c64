/*
 * How many connections each institution has open, server-wide, so that one
 * institution (or one stolen certificate) cannot take every slot of the
 * server. A connection is counted once its installation is identified and
 * uncounted when it closes. Thread-safe: io threads share one table.
 */
#ifndef SPONA_INSTITUTION_COUNT_H
#define SPONA_INSTITUTION_COUNT_H

struct institution_count;

/* NULL when out of memory. */
struct institution_count *institution_count_new(void);

/*
 * Counts one more connection of the institution unless it already has limit
 * open: 0 counted, -1 refused (or out of memory). *open gets the number open
 * before this one.
 */
int institution_count_take(struct institution_count *count, const char *institution_id,
                           int limit, int *open);

/* One connection counted by institution_count_take has closed. */
void institution_count_release(struct institution_count *count, const char *institution_id);

void institution_count_free(struct institution_count *count);

#endif
