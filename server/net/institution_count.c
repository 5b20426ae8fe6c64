/*
 * Open connections per institution (see institution_count.h): a small array
 * searched linearly under one mutex. Only identified installations get here,
 * so its size is bounded by the institutions registered, tens in a
 * municipality; it is touched once when a connection is identified and once
 * when it closes.
 */
#include "institution_count.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"

struct institution_open {
    char institution_id[UUID_TEXT];
    int open;
};

struct institution_count {
    pthread_mutex_t lock;
    struct institution_open *entries;
    size_t used, allocated;
};

struct institution_count *institution_count_new(void)
{
    struct institution_count *count = calloc(1, sizeof(*count));
    if (count != NULL)
        pthread_mutex_init(&count->lock, NULL);
    return count;
}

/* The institution's entry, added when missing; NULL when out of memory. Under the lock. */
static struct institution_open *institution_count_entry(struct institution_count *count,
                                                        const char *institution_id)
{
    for (size_t i = 0; i < count->used; i++)
        if (strcmp(count->entries[i].institution_id, institution_id) == 0)
            return &count->entries[i];
    if (count->used == count->allocated) {
        size_t allocated = count->allocated ? count->allocated * 2 : 16;
        struct institution_open *grown =
            realloc(count->entries, allocated * sizeof(*count->entries));
        if (grown == NULL)
            return NULL;
        count->entries = grown;
        count->allocated = allocated;
    }
    struct institution_open *entry = &count->entries[count->used++];
    snprintf(entry->institution_id, sizeof(entry->institution_id), "%s", institution_id);
    entry->open = 0;
    return entry;
}

int institution_count_take(struct institution_count *count, const char *institution_id,
                           int limit, int *open)
{
    int result = -1;
    *open = 0;
    pthread_mutex_lock(&count->lock);
    struct institution_open *entry = institution_count_entry(count, institution_id);
    if (entry != NULL) {
        *open = entry->open;
        if (entry->open < limit) {
            entry->open++;
            result = 0;
        }
    }
    pthread_mutex_unlock(&count->lock);
    return result;
}

void institution_count_release(struct institution_count *count, const char *institution_id)
{
    pthread_mutex_lock(&count->lock);
    for (size_t i = 0; i < count->used; i++)
        if (strcmp(count->entries[i].institution_id, institution_id) == 0) {
            if (count->entries[i].open > 0)
                count->entries[i].open--;
            break;
        }
    pthread_mutex_unlock(&count->lock);
}

void institution_count_free(struct institution_count *count)
{
    if (count == NULL)
        return;
    pthread_mutex_destroy(&count->lock);
    free(count->entries);
    free(count);
}
