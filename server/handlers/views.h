/*
 * Building response messages that several subjects share: decisions with
 * their explanation, and helpers for the heap-allocated strings and arrays that
 * protobuf-c frees with *_free_unpacked. Every function returns NULL (or -1)
 * when out of memory; the caller then answers INTERNAL.
 */
#ifndef SPONA_VIEWS_H
#define SPONA_VIEWS_H

#include "envelope.h"
#include "policy.h"

/* A CategoryDecision for one category/action under policy (version 0 when NULL). */
Spona__V1__CategoryDecision *views_decision(const struct policy *policy,
                                            enum policy_category category,
                                            enum policy_action action,
                                            const struct policy_decision *decision);

/* strdup that maps NULL to "". */
char *views_strdup(const char *text);

/*
 * Appends item to a repeated field (*items, *count), growing it with realloc.
 * Returns 0, or -1 when out of memory (item is then not added, and the caller
 * still owns it).
 */
int views_append(void ***items, size_t *count, void *item);

#endif
