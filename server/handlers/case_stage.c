/*
 * The stage machine of a case (see case_stage.h). The table of moves is the
 * whole rule: forward one step at a time, review back to implementation for
 * another cycle, any open stage to closed, closed back to assessment.
 */
#include "case_stage.h"

#include <stdio.h>
#include <string.h>

static const char *const stage_names[CASE_STAGE_COUNT] = {
    "intake", "assessment", "planning", "implementation", "review", "closed",
};

static const char *const close_reasons[] = {
    "employed", "self_employed", "dropped_out", "moved", "no_longer_eligible", "died", "other",
};

const char *case_stage_name(enum case_stage stage)
{
    return (unsigned)stage < CASE_STAGE_COUNT ? stage_names[stage] : NULL;
}

int case_stage_from_name(const char *name)
{
    for (int stage = 0; stage < CASE_STAGE_COUNT; stage++)
        if (strcmp(stage_names[stage], name) == 0)
            return stage;
    return -1;
}

enum case_move case_stage_move(enum case_stage from, enum case_stage to)
{
    if ((unsigned)from >= CASE_STAGE_COUNT || (unsigned)to >= CASE_STAGE_COUNT)
        return CASE_MOVE_NONE;
    if (from == CASE_STAGE_CLOSED)
        return to == CASE_STAGE_ASSESSMENT ? CASE_MOVE_REOPEN : CASE_MOVE_NONE;
    if (to == CASE_STAGE_CLOSED)
        return CASE_MOVE_CLOSE;
    if (to == from + 1 || (from == CASE_STAGE_REVIEW && to == CASE_STAGE_IMPLEMENTATION))
        return CASE_MOVE_ADVANCE;
    return CASE_MOVE_NONE;
}

int case_stage_allowed_text(enum case_stage from, char *out, size_t out_size)
{
    const char *allowed[CASE_STAGE_COUNT];
    int count = 0;
    for (int to = 0; to < CASE_STAGE_COUNT; to++)
        if (case_stage_move(from, (enum case_stage)to) != CASE_MOVE_NONE)
            allowed[count++] = stage_names[to];
    if (out_size == 0)
        return -1;
    out[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < count; i++) {
        const char *separator = i == 0 ? "" : i == count - 1 ? " or " : ", ";
        int written = snprintf(out + used, out_size - used, "%s%s", separator, allowed[i]);
        if (written < 0 || (size_t)written >= out_size - used)
            return -1;
        used += (size_t)written;
    }
    return 0;
}

int case_close_reason_valid(const char *reason)
{
    for (size_t i = 0; i < sizeof(close_reasons) / sizeof(close_reasons[0]); i++)
        if (strcmp(close_reasons[i], reason) == 0)
            return 1;
    return 0;
}

const char *case_close_reasons_text(void)
{
    return "employed, self_employed, dropped_out, moved, no_longer_eligible, died or other";
}

/* The stage each record implies (docs/cases.md); closed with the close reason. */
static const struct {
    const char *record;
    enum case_stage implied;
    const char *close_reason;
} stage_implications[] = {
    {"assessment", CASE_STAGE_PLANNING, NULL},
    {"employed", CASE_STAGE_CLOSED, "employed"},
    {"self_employed", CASE_STAGE_CLOSED, "self_employed"},
    {"dropped_out", CASE_STAGE_CLOSED, "dropped_out"},
    {"in_training", CASE_STAGE_IMPLEMENTATION, NULL},
    {"training_completed", CASE_STAGE_REVIEW, NULL},
    {"left_benefits", CASE_STAGE_REVIEW, NULL},
};

int case_stage_suggest(enum case_stage current, const char *record,
                       enum case_stage *suggested, const char **close_reason)
{
    *close_reason = NULL;
    if ((unsigned)current >= CASE_STAGE_CLOSED || record == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(stage_implications) / sizeof(stage_implications[0]); i++) {
        if (strcmp(stage_implications[i].record, record) != 0)
            continue;
        enum case_stage implied = stage_implications[i].implied;
        if (implied == CASE_STAGE_CLOSED) {
            *suggested = CASE_STAGE_CLOSED;
            *close_reason = stage_implications[i].close_reason;
            return 1;
        }
        if (current >= implied)
            return 0;
        *suggested = (enum case_stage)(current + 1);
        return 1;
    }
    return 0;
}
