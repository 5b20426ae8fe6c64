/*
 * Shared response builders (see views.h).
 */
#include "views.h"

#include <stdlib.h>
#include <string.h>

char *views_strdup(const char *text)
{
    return strdup(text != NULL ? text : "");
}

int views_append(void ***items, size_t *count, void *item)
{
    void **grown = realloc(*items, (*count + 1) * sizeof(**items));
    if (grown == NULL)
        return -1;
    grown[*count] = item;
    *items = grown;
    (*count)++;
    return 0;
}

Spona__V1__CategoryDecision *views_decision(const struct policy *policy,
                                            enum policy_category category,
                                            enum policy_action action,
                                            const struct policy_decision *decision)
{
    Spona__V1__CategoryDecision *out = malloc(sizeof(*out));
    if (out == NULL)
        return NULL;
    spona__v1__category_decision__init(out);
    out->category = views_strdup(policy_category_name(category));
    out->action = views_strdup(policy_action_name(action));
    out->reason = views_strdup(decision->reason);
    out->allowed = decision->allowed;
    out->clause = decision->clause_number > 0 ? (uint32_t)decision->clause_number : 0;
    out->protocol_version = policy != NULL ? (uint32_t)policy->version : 0;
    if (out->category == NULL || out->action == NULL || out->reason == NULL) {
        spona__v1__category_decision__free_unpacked(out, NULL);
        return NULL;
    }
    return out;
}
