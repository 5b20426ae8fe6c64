/*
 * The decision table of a protocol version (see decision_table.h): the clauses of
 * struct policy expanded to one row per role, category and action they name. Nothing
 * is flattened: spona_decide takes the lowest-numbered clause whose conditions hold,
 * as policy_decide does, so the table keeps every clause and its conditions.
 */
#include "decision_table.h"

#include <stdio.h>
#include <stdlib.h>

size_t decision_table_count(const struct policy *policy)
{
    size_t count = 0;
    for (size_t i = 0; i < policy->clause_count; i++) {
        const struct policy_clause *clause = &policy->clauses[i];
        for (int role = 0; role < POLICY_ROLE_COUNT; role++)
            for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
                for (int action = 0; action < POLICY_ACTION_COUNT; action++)
                    count += (clause->roles & POLICY_BIT(role)) &&
                             (clause->categories & POLICY_BIT(category)) &&
                             (clause->actions & POLICY_BIT(action));
    }
    return count;
}

/* Appends the rows of one clause for one role, separated by commas after *written. */
static void clause_rows(FILE *stream, const struct policy_clause *clause, int role,
                        size_t *written)
{
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if ((clause->categories & POLICY_BIT(category)) == 0)
            continue;
        for (int action = 0; action < POLICY_ACTION_COUNT; action++) {
            if ((clause->actions & POLICY_BIT(action)) == 0)
                continue;
            fprintf(stream,
                    "%s{\"role\":\"%s\",\"category\":\"%s\",\"action\":\"%s\",\"clause\":%d,"
                    "\"needs_team\":%s,\"needs_consent\":%s}",
                    *written > 0 ? "," : "", policy_role_name((enum policy_role)role),
                    policy_category_name((enum policy_category)category),
                    policy_action_name((enum policy_action)action), clause->number,
                    clause->on_team ? "true" : "false", clause->consent ? "true" : "false");
            (*written)++;
        }
    }
}

int decision_table_json(const struct policy *policy, char **out)
{
    *out = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    if (stream == NULL)
        return -1;
    size_t written = 0;
    fputc('[', stream);
    for (size_t i = 0; i < policy->clause_count; i++)
        for (int role = 0; role < POLICY_ROLE_COUNT; role++)
            if (policy->clauses[i].roles & POLICY_BIT(role))
                clause_rows(stream, &policy->clauses[i], role, &written);
    fputc(']', stream);
    if (fclose(stream) != 0) {
        free(text);
        return -1;
    }
    *out = text;
    return 0;
}
