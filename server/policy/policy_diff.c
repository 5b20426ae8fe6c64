/*
 * Comparing two protocol versions (policy_diff.h). An institution's access is
 * what the clauses of its role give it; a grant of the new version is covered
 * when some old clause of the institution's old role grants the same category
 * and action under conditions at most as strict (on_team, consent). Whatever is
 * not covered is a gain. Nothing here reads the database or decides a request.
 */
#include "policy_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A clause's conditions as a number 0..3: bit 1 on_team, bit 0 consent. */
#define DIFF_CONDITION(clause) (((clause)->on_team ? 2u : 0u) | ((clause)->consent ? 1u : 0u))

/* The conditions under which role holds category and action: bit c for condition c. */
static unsigned diff_conditions(const struct policy *policy, int role,
                                enum policy_category category, enum policy_action action)
{
    unsigned conditions = 0;
    if (policy == NULL || role < 0)
        return 0;
    for (size_t i = 0; i < policy->clause_count; i++) {
        const struct policy_clause *clause = &policy->clauses[i];
        if ((clause->roles & POLICY_BIT(role)) && (clause->categories & POLICY_BIT(category)) &&
            (clause->actions & POLICY_BIT(action)))
            conditions |= 1u << DIFF_CONDITION(clause);
    }
    return conditions;
}

/* The institution's role in policy, or -1 when it is no signatory. */
static int diff_role_of(const struct policy *policy, const char *institution)
{
    if (policy == NULL)
        return -1;
    for (size_t i = 0; i < policy->signatory_count; i++)
        if (strcmp(policy->signatories[i].institution, institution) == 0)
            return (int)policy->signatories[i].role;
    return -1;
}

/*
 * Whether the conditions next grants under are covered by old's; when not,
 * *kind says why. Condition a is at most as strict as b when a's bits are in b's.
 */
static int diff_uncovered(unsigned old, unsigned next, enum policy_gain_kind *kind)
{
    for (unsigned wanted = 0; wanted < 4; wanted++) {
        if (!(next & (1u << wanted)))
            continue;
        int covered = 0, team_ok = 0;
        for (unsigned had = 0; had < 4; had++) {
            if (!(old & (1u << had)))
                continue;
            if ((had & wanted) == had)
                covered = 1;
            if ((had & 2u) <= (wanted & 2u))
                team_ok = 1;
        }
        if (covered)
            continue;
        *kind = old == 0 ? POLICY_GAIN_GRANT
                : team_ok ? POLICY_GAIN_CONSENT_DROPPED
                          : POLICY_GAIN_TEAM_DROPPED;
        return 1;
    }
    return 0;
}

/* Appends a gain; 0, or -1 when out of memory. */
static int diff_append(struct policy_diff *diff, size_t *capacity, const struct policy_gain *gain)
{
    if (diff->gain_count == *capacity) {
        size_t grown = *capacity == 0 ? 16 : *capacity * 2;
        struct policy_gain *gains = realloc(diff->gains, grown * sizeof(*gains));
        if (gains == NULL)
            return -1;
        diff->gains = gains;
        *capacity = grown;
    }
    diff->gains[diff->gain_count++] = *gain;
    return 0;
}

int policy_diff(const struct policy *old, const struct policy *next, struct policy_diff *out)
{
    memset(out, 0, sizeof(*out));
    size_t capacity = 0;
    for (size_t s = 0; s < next->signatory_count; s++) {
        const struct policy_signatory *signatory = &next->signatories[s];
        int old_role = diff_role_of(old, signatory->institution);
        for (int c = 0; c < POLICY_CATEGORY_COUNT; c++) {
            for (int a = 0; a < POLICY_ACTION_COUNT; a++) {
                unsigned had = diff_conditions(old, old_role, c, a);
                unsigned gets = diff_conditions(next, (int)signatory->role, c, a);
                struct policy_gain gain = {signatory->institution, signatory->role, c, a,
                                           POLICY_GAIN_GRANT};
                if (diff_uncovered(had, gets, &gain.kind) &&
                    diff_append(out, &capacity, &gain) != 0) {
                    policy_diff_free(out);
                    return -1;
                }
            }
        }
    }
    return 0;
}

void policy_diff_free(struct policy_diff *diff)
{
    free(diff->gains);
    memset(diff, 0, sizeof(*diff));
}

int policy_diff_widens_for(const struct policy_diff *diff, const char *institution)
{
    for (size_t i = 0; i < diff->gain_count; i++)
        if (strcmp(diff->gains[i].institution, institution) == 0)
            return 1;
    return 0;
}

/* Appends "; " (unless first) and text to out, truncating. */
static void diff_add_text(char *out, size_t out_size, const char *text)
{
    size_t used = strlen(out);
    if (used + 1 < out_size)
        snprintf(out + used, out_size - used, "%s%s", used > 0 ? "; " : "", text);
}

void policy_diff_reason(const struct policy_diff *diff, const struct policy *next,
                        const char *institution, char *out, size_t out_size)
{
    static const char *const what[] = {"gains", "no longer needs consent for",
                                        "no longer needs the case team for"};
    if (out_size == 0)
        return;
    out[0] = '\0';
    if (diff_role_of(next, institution) == POLICY_ROLE_LEAD_AGENCY)
        diff_add_text(out, out_size, "lead agency");
    for (size_t i = 0; i < diff->gain_count; i++) {
        const struct policy_gain *gain = &diff->gains[i];
        if (strcmp(gain->institution, institution) != 0)
            continue;
        char text[128];
        snprintf(text, sizeof(text), "%s %s %s", what[gain->kind],
                 policy_action_name(gain->action), policy_category_name(gain->category));
        diff_add_text(out, out_size, text);
    }
}
