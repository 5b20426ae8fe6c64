/*
 * A person's priority-group codes against the protocol in force (see
 * priority_groups.h). Refusals list the protocol's codes, so the caller can
 * correct the value without the server repeating it.
 */
#include "priority_groups.h"

#include <stdio.h>
#include <string.h>

#define GROUPS_MAX_CODE 128

static int groups_known(const struct policy *policy, const char *code)
{
    for (size_t i = 0; policy != NULL && i < policy->priority_group_count; i++)
        if (strcmp(policy->priority_groups[i].code, code) == 0)
            return 1;
    return 0;
}

/* The refusal: entry position (1-based) and what it is, then the protocol's codes. */
static int groups_refuse(const struct policy *policy, size_t position, const char *what,
                         char *err, size_t err_size)
{
    if (policy == NULL) {
        snprintf(err, err_size,
                 "priority_groups: no protocol is in force, so no priority group may be set");
        return -1;
    }
    size_t used = (size_t)snprintf(err, err_size,
                                   "priority_groups: entry %zu %s (protocol version %d:", position,
                                   what, policy->version);
    for (size_t i = 0; i < policy->priority_group_count && used < err_size; i++)
        used += (size_t)snprintf(err + used, err_size - used, "%s %s", i == 0 ? "" : ",",
                                 policy->priority_groups[i].code);
    if (used < err_size)
        snprintf(err + used, err_size - used, "%s; `spona protocol show` lists them)",
                 policy->priority_group_count == 0 ? " none" : "");
    return -1;
}

/* The next entry of a comma list, spaces dropped, into code; the text after it. */
static const char *groups_next(const char *at, char *code, size_t code_size, int *too_long)
{
    size_t used = 0;
    *too_long = 0;
    for (; *at != '\0' && *at != ','; at++) {
        if (*at == ' ')
            continue;
        if (used + 1 >= code_size)
            *too_long = 1;
        else
            code[used++] = *at;
    }
    code[used] = '\0';
    return *at == ',' ? at + 1 : NULL;
}

int priority_groups_check(const struct policy *policy, const char *value, char *err,
                          size_t err_size)
{
    char seen[64][GROUPS_MAX_CODE];
    size_t count = 0;
    const char *at = value;
    int empty = 1;
    for (const char *c = value; *c != '\0'; c++)
        empty &= *c == ' ';
    if (empty)
        return 0;
    for (size_t position = 1; at != NULL; position++) {
        char code[GROUPS_MAX_CODE];
        int too_long;
        at = groups_next(at, code, sizeof(code), &too_long);
        if (too_long || code[0] == '\0' || !groups_known(policy, code))
            return groups_refuse(policy, position, "is not a priority group of the protocol in force",
                                 err, err_size);
        for (size_t i = 0; i < count; i++)
            if (strcmp(seen[i], code) == 0)
                return groups_refuse(policy, position, "repeats an earlier one", err, err_size);
        if (count < sizeof(seen) / sizeof(seen[0]))
            snprintf(seen[count++], GROUPS_MAX_CODE, "%s", code);
    }
    return 0;
}
