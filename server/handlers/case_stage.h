/*
 * The stage machine of a case (docs/cases.md, "Case lifecycle"): which moves
 * are allowed from each stage, by which request, and the list of allowed next
 * stages as the text of the FAILED_PRECONDITION message ("from planning:
 * implementation or closed"). Also the close reasons. Pure logic: no database,
 * no clock, no access decisions (only the lead moves a stage; handlers check).
 */
#ifndef SPONA_CASE_STAGE_H
#define SPONA_CASE_STAGE_H

#include <stddef.h>

/* In lifecycle order. */
enum case_stage {
    CASE_STAGE_INTAKE,
    CASE_STAGE_ASSESSMENT,
    CASE_STAGE_PLANNING,
    CASE_STAGE_IMPLEMENTATION,
    CASE_STAGE_REVIEW,
    CASE_STAGE_CLOSED,
    CASE_STAGE_COUNT
};

/* The request that makes a move. */
enum case_move {
    CASE_MOVE_NONE,    /* not allowed */
    CASE_MOVE_ADVANCE, /* case_advance: one step forward, or review -> implementation */
    CASE_MOVE_CLOSE,   /* case_close: any open stage -> closed, with a reason */
    CASE_MOVE_REOPEN   /* case_reopen: closed -> assessment, with a reason */
};

/* "intake", ...; NULL when out of range. */
const char *case_stage_name(enum case_stage stage);

/* The stage named name, or -1 for an unknown name. */
int case_stage_from_name(const char *name);

/* Which request may move a case from one stage to another (CASE_MOVE_NONE: none). */
enum case_move case_stage_move(enum case_stage from, enum case_stage to);

/*
 * The stages reachable from from, in lifecycle order, as text: "assessment or
 * closed", "implementation or closed", "assessment". Returns 0, or -1 when out
 * doesn't hold it (truncated).
 */
int case_stage_allowed_text(enum case_stage from, char *out, size_t out_size);

/* 1 when reason is one of the documented close reasons (employed, self_employed, ...). */
int case_close_reason_valid(const char *reason);

/* The close reasons as text for an error message: "employed, self_employed, ... or other". */
const char *case_close_reasons_text(void);

/*
 * What a record implies for the stage (docs/cases.md, "Records imply stages"): the
 * move to suggest to the lead when the case is in an earlier stage. record is
 * "assessment" or an outcome kind ("employed", "in_training", ...). Returns 1 with
 * *suggested (a stage the machine allows from current: one step forward, or
 * closed) and *close_reason (NULL unless closing), 0 when nothing is suggested.
 */
int case_stage_suggest(enum case_stage current, const char *record,
                       enum case_stage *suggested, const char **close_reason);

#endif
