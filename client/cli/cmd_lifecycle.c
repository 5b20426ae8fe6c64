/*
 * A case's stage: `spona case advance | close | reopen` (docs/cases.md, "Case
 * lifecycle"). The server knows the stage machine and refuses a move it does
 * not allow, naming the allowed ones; this file sends the move with the case
 * version the user read and shows the case as it is afterwards.
 */
#include <stdio.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "view.h"

enum lifecycle_option {
    LIFECYCLE_OPTION_VERSION = 1,
    LIFECYCLE_OPTION_TO,
    LIFECYCLE_OPTION_REASON,
    LIFECYCLE_OPTION_NOTE,
};

/* The case after a move: case_advance, case_close or case_reopen of the response. */
static const Spona__V1__CaseView *lifecycle_view(const spona_response *response)
{
    switch (response->body_case) {
    case SPONA__V1__RESPONSE__BODY_CASE_CLOSE: return response->case_close;
    case SPONA__V1__RESPONSE__BODY_CASE_REOPEN: return response->case_reopen;
    default: return response->case_advance;
    }
}

static void lifecycle_json(struct json_writer *writer, const spona_request *request,
                           const spona_response *response)
{
    (void)request;
    view_case_json(writer, lifecycle_view(response));
}

/* "WHAT case ID: stage S, now version N" */
static void lifecycle_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__CaseView *view = lifecycle_view(response);
    const char *stage = i18n_code_label("stage", view->stage);
    unsigned long long version = (unsigned long long)view->version;
    if (request->body_case == SPONA__V1__REQUEST__BODY_CASE_CLOSE)
        output_printf(stdout, _("closed case %s: stage %s, now version %llu\n"), view->case_id,
                      stage, version);
    else if (request->body_case == SPONA__V1__REQUEST__BODY_CASE_REOPEN)
        output_printf(stdout, _("reopened case %s: stage %s, now version %llu\n"),
                      view->case_id, stage, version);
    else
        output_printf(stdout, _("moved case %s: stage %s, now version %llu\n"), view->case_id,
                      stage, version);
}

/*
 * Sends a move (request's body set, expected_version pointing into it) with the
 * --version given; on success reports "moved|closed|reopened case ID: stage S"
 * or the case as JSON. Returns the exit code.
 */
static int lifecycle_move(const struct settings *settings, const struct args *args,
                          spona_request *request, uint64_t *expected_version)
{
    return remote_write_versioned(settings, args, ARGS_VERSION, request,
                                  expected_version, lifecycle_json, lifecycle_text);
}

static int case_advance_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__CaseAdvanceRequest advance = SPONA__V1__CASE_ADVANCE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    advance.case_id = args->operands[0];
    advance.to_stage = args_value(args, LIFECYCLE_OPTION_TO);
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_ADVANCE;
    request.case_advance = &advance;
    return lifecycle_move(settings, args, &request, &advance.expected_version);
}

static int case_close_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__CaseCloseRequest close_request = SPONA__V1__CASE_CLOSE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    close_request.case_id = args->operands[0];
    close_request.reason = args_value(args, LIFECYCLE_OPTION_REASON);
    if (args_has(args, LIFECYCLE_OPTION_NOTE))
        close_request.note = args_value(args, LIFECYCLE_OPTION_NOTE);
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_CLOSE;
    request.case_close = &close_request;
    return lifecycle_move(settings, args, &request, &close_request.expected_version);
}

static int case_reopen_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__CaseReopenRequest reopen = SPONA__V1__CASE_REOPEN_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    reopen.case_id = args->operands[0];
    reopen.reason = args_value(args, LIFECYCLE_OPTION_REASON);
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_REOPEN;
    request.case_reopen = &reopen;
    return lifecycle_move(settings, args, &request, &reopen.expected_version);
}

#define LIFECYCLE_VERSION_OPTION ARGS_VERSION_OPTION, ARGS_FRESH_OPTION


static const struct args_option case_advance_options[] = {
    LIFECYCLE_VERSION_OPTION,
    { "to", LIFECYCLE_OPTION_TO, ARGS_VALUE | ARGS_REQUIRED, "STAGE" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_case_advance = {
    .name = "advance",
    .summary = N_("move a case to its next stage (case lead)"),
    .help = N_("Usage: spona case advance CASE_ID [--version N] --to STAGE [OPTIONS]\n"
            "\n"
            "Moves the case one stage on: intake -> assessment -> planning ->\n"
            "implementation -> review, and review -> implementation for another cycle.\n"
            "Any other move is refused with the stages allowed from the current one (to\n"
            "close a case: spona case close). For the case's lead institution.\n"
            "\n"
            "  --to STAGE       assessment, planning, implementation or review (required)\n"),
    .help_notes = {commands_help_case_version, commands_help_idempotency},
    .options = case_advance_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = case_advance_run,
};

static const struct args_option case_close_options[] = {
    LIFECYCLE_VERSION_OPTION,
    { "reason", LIFECYCLE_OPTION_REASON, ARGS_VALUE | ARGS_REQUIRED, "REASON" },
    { "note", LIFECYCLE_OPTION_NOTE, ARGS_VALUE, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_case_close = {
    .name = "close",
    .summary = N_("close a case with a reason (case lead)"),
    .help = N_("Usage: spona case close CASE_ID [--version N] --reason REASON [--note TEXT]\n"
            "                        [OPTIONS]\n"
            "\n"
            "Closes an open case, from any stage. Record the outcome itself with spona\n"
            "outcome. For the case's lead institution.\n"
            "\n"
            "  --reason REASON  employed, self_employed, dropped_out, moved,\n"
            "                   no_longer_eligible, died or other (required)\n"
            "  --note TEXT      a note on the closure\n"),
    .help_notes = {commands_help_case_version, commands_help_idempotency},
    .options = case_close_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = case_close_run,
};

static const struct args_option case_reopen_options[] = {
    LIFECYCLE_VERSION_OPTION,
    { "reason", LIFECYCLE_OPTION_REASON, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_case_reopen = {
    .name = "reopen",
    .summary = N_("reopen a closed case, back to assessment (case lead)"),
    .help = N_("Usage: spona case reopen CASE_ID [--version N] --reason TEXT [OPTIONS]\n"
            "\n"
            "Reopens a closed case; it goes back to the assessment stage. For the case's\n"
            "lead institution.\n"
            "\n"
            "  --reason TEXT    why it is reopened (required)\n"),
    .help_notes = {commands_help_case_version, commands_help_idempotency},
    .options = case_reopen_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = case_reopen_run,
};
