/*
 * Checks a person's priority_groups value (docs/cases.md, "Rules the workflow
 * owes its users"): a comma-separated list of codes of the priority groups of the
 * protocol in force, spaces ignored, each code once, empty for none. Pure: the
 * protocol is given; no database.
 */
#ifndef SPONA_PRIORITY_GROUPS_H
#define SPONA_PRIORITY_GROUPS_H

#include <stddef.h>

#include "policy.h"

/*
 * 0 when value is a valid list under policy (NULL: no protocol in force, so only
 * an empty list is); -1 with err set to a message naming the field, the entry's
 * position and the protocol's own codes (never the value's text).
 */
int priority_groups_check(const struct policy *policy, const char *value, char *err,
                          size_t err_size);

#endif
