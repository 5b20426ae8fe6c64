/*
 * The clauses of a protocol version as messages (protocol_clauses.h): numbers, titles,
 * notes, and the codes of the roles, categories and actions each grants.
 */
#include "protocol_clauses.h"

#include <stdlib.h>

#include "views.h"

/* The names of the bits of mask as strings; 0, or -1 out of memory. */
static int protocol_clause_codes(policy_mask mask, int count, const char *(*name)(int),
                                 char ***out, size_t *n_out)
{
    for (int i = 0; i < count; i++) {
        if ((mask & POLICY_BIT(i)) == 0)
            continue;
        char *code = views_strdup(name(i));
        if (code == NULL || views_append((void ***)out, n_out, code) != 0) {
            free(code);
            return -1;
        }
    }
    return 0;
}

static const char *protocol_role(int value)
{
    return policy_role_name((enum policy_role)value);
}

static const char *protocol_category(int value)
{
    return policy_category_name((enum policy_category)value);
}

static const char *protocol_action(int value)
{
    return policy_action_name((enum policy_action)value);
}

int protocol_clauses_view(const struct policy *policy, Spona__V1__ProtocolShowResponse *answer)
{
    for (size_t i = 0; i < policy->clause_count; i++) {
        const struct policy_clause *clause = &policy->clauses[i];
        Spona__V1__ProtocolClause *view = malloc(sizeof(*view));
        if (view == NULL)
            return -1;
        spona__v1__protocol_clause__init(view);
        view->number = (uint32_t)clause->number;
        view->title = views_strdup(clause->title);
        view->note = views_strdup(clause->note != NULL ? clause->note : "");
        view->on_team = clause->on_team != 0;
        view->consent = clause->consent != 0;
        if (view->title == NULL || view->note == NULL ||
            protocol_clause_codes(clause->roles, POLICY_ROLE_COUNT, protocol_role, &view->roles,
                                  &view->n_roles) != 0 ||
            protocol_clause_codes(clause->categories, POLICY_CATEGORY_COUNT, protocol_category,
                                  &view->categories, &view->n_categories) != 0 ||
            protocol_clause_codes(clause->actions, POLICY_ACTION_COUNT, protocol_action,
                                  &view->actions, &view->n_actions) != 0 ||
            views_append((void ***)&answer->clauses, &answer->n_clauses, view) != 0) {
            spona__v1__protocol_clause__free_unpacked(view, NULL);
            return -1;
        }
    }
    return 0;
}
