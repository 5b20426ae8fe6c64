/*
 * Cases and their teams: `spona case open | show | exclude`, `spona refer`,
 * `spona referral accept` and the break-glass `spona emergency` (whose
 * subcommand `review` is in cmd_audit.c). Who may do what is the server's
 * decision (docs/access.md); this file sends the request and lays out the
 * answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "group_names.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"
#include "view.h"

enum case_option {
    CASE_OPTION_REASON = 1,
    CASE_OPTION_TO,
    CASE_OPTION_MEASURE,
    CASE_OPTION_DUE,
    CASE_OPTION_MINUTES,
    CASE_OPTION_INSTITUTION,
    CASE_OPTION_USER,
    CASE_OPTION_OPENED_ON,
};

static void case_open_json(struct json_writer *writer, const spona_request *request,
                           const spona_response *response)
{
    (void)request;
    json_string(writer, "case_id", response->case_open->case_id);
    json_string(writer, "number", response->case_open->number);
    json_uint(writer, "version", response->case_open->version);
}

static void case_open_text(const spona_request *request, const spona_response *response)
{
    if (response->case_open->number[0] != '\0')
        output_printf(stdout, _("opened case %s (%s) for person %s\n"),
                      response->case_open->case_id, response->case_open->number,
                      request->case_open->person_id);
    else
        output_printf(stdout, _("opened case %s for person %s\n"),
                      response->case_open->case_id, request->case_open->person_id);
}

static int case_open_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__CaseOpenRequest open_request = SPONA__V1__CASE_OPEN_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    open_request.person_id = args->operands[0];
    if (args_has(args, CASE_OPTION_REASON))
        open_request.reason = args_value(args, CASE_OPTION_REASON);
    if (args_has(args, CASE_OPTION_OPENED_ON))
        open_request.opened_on = args_value(args, CASE_OPTION_OPENED_ON);
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_OPEN;
    request.case_open = &open_request;
    return remote_write_print(settings, args, &request, case_open_json, case_open_text);
}

static void case_show_json(struct json_writer *writer, const spona_request *request,
                           const spona_response *response)
{
    (void)request;
    view_case_json(writer, response->case_get);
}

static const struct settings *show_settings; /* case show's, for the group names */

static void case_show_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__CaseView *view = response->case_get;
    char version[24];
    snprintf(version, sizeof(version), "%llu", (unsigned long long)view->version);
    const struct view_line lines[] = {
        { _("case"), view->case_id },
        { _("number"), view->number },
        { _("person"), view->person_id },
        { _("stage"), i18n_code_label("stage", view->stage) },
        { _("lead"), view->lead_institution_code },
        { _("opened"), view->opened_at },
        { _("version"), version },
    };
    view_lines(stdout, lines, sizeof(lines) / sizeof(lines[0]));
    struct table table;
    table_init(&table, 4);
    const char *header[] = { _("institution"), _("role"), _("via"), _("since") };
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < view->n_team; i++) {
        const char *row[] = { view->team[i]->institution_code,
                              i18n_code_label("role", view->team[i]->role),
                              i18n_code_label("team_via", view->team[i]->via),
                              view->team[i]->since };
        failed = table_add(&table, row);
    }
    printf("\n%s\n", _("team"));
    table_print(&table, stdout, 2);
    table_free(&table);
    if (view->person != NULL) {
        printf("\n");
        group_names_prepare(show_settings, view->person);
        view_person_text(stdout, view->person);
        group_names_release();
    }
}

static int case_show_run(const struct settings *settings, const struct args *args)
{
    show_settings = settings;
    Spona__V1__CaseGetRequest get = SPONA__V1__CASE_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    get.case_id = args->operands[0];
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_GET;
    request.case_get = &get;
    return remote_read_print(settings, &request, case_show_json, case_show_text);
}

static void case_exclude_json(struct json_writer *writer, const spona_request *request,
                              const spona_response *response)
{
    (void)request;
    json_string(writer, "exclusion_id", response->case_exclude->exclusion_id);
}

static void case_exclude_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__CaseExcludeRequest *exclude = request->case_exclude;
    if (exclude->username[0] != '\0')
        output_printf(stdout,
                      _("excluded user %s of %s from case %s (exclusion %s); from their next "
                        "request on they see nothing of it\n"),
                      exclude->username, exclude->institution_code, exclude->case_id,
                      response->case_exclude->exclusion_id);
    else
        output_printf(stdout,
                      _("excluded institution %s from case %s (exclusion %s); from its next "
                        "request on it sees nothing of it\n"),
                      exclude->institution_code, exclude->case_id,
                      response->case_exclude->exclusion_id);
}

static int case_exclude_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__CaseExcludeRequest exclude = SPONA__V1__CASE_EXCLUDE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    exclude.case_id = args->operands[0];
    exclude.institution_code = args_value(args, CASE_OPTION_INSTITUTION);
    if (args_has(args, CASE_OPTION_USER))
        exclude.username = args_value(args, CASE_OPTION_USER);
    exclude.reason = args_value(args, CASE_OPTION_REASON);
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &exclude;
    return remote_write_print(settings, args, &request, case_exclude_json, case_exclude_text);
}

static void refer_json(struct json_writer *writer, const spona_request *request,
                       const spona_response *response)
{
    (void)request;
    json_string(writer, "referral_id", response->referral_create->referral_id);
}

static void refer_text(const spona_request *request, const spona_response *response)
{
    output_printf(stdout, _("referred case %s to %s: referral %s (it joins the team when it "
                            "accepts)\n"),
                  request->referral_create->case_id, request->referral_create->institution_code,
                  response->referral_create->referral_id);
}

static int refer_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    Spona__V1__ReferralCreateRequest create = SPONA__V1__REFERRAL_CREATE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    create.case_id = args->operands[0];
    create.institution_code = args_value(args, CASE_OPTION_TO);
    create.measure = args_value(args, CASE_OPTION_MEASURE);
    if (args_has(args, CASE_OPTION_DUE)) {
        create.due_date = args_value(args, CASE_OPTION_DUE);
        if (args_date("--due", create.due_date, err, sizeof(err)) != 0)
            return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    }
    request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_CREATE;
    request.referral_create = &create;
    return remote_write_print(settings, args, &request, refer_json, refer_text);
}

static void referral_accept_json(struct json_writer *writer, const spona_request *request,
                                 const spona_response *response)
{
    (void)request;
    json_string(writer, "case_id", response->referral_accept->case_id);
    json_uint(writer, "version", response->referral_accept->version);
}

static void referral_accept_text(const spona_request *request, const spona_response *response)
{
    output_printf(stdout,
                  _("accepted referral %s: your institution is on the team of case %s (the "
                    "referral is now version %llu)\n"),
                  request->referral_accept->referral_id, response->referral_accept->case_id,
                  (unsigned long long)response->referral_accept->version);
}

static int referral_accept_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__ReferralAcceptRequest accept = SPONA__V1__REFERRAL_ACCEPT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    accept.referral_id = args->operands[0];
    request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_ACCEPT;
    request.referral_accept = &accept;
    return remote_write_print(settings, args, &request, referral_accept_json,
                              referral_accept_text);
}

static void emergency_json(struct json_writer *writer, const spona_request *request,
                           const spona_response *response)
{
    (void)request;
    json_string(writer, "expires_at", response->emergency_access->expires_at);
}

static void emergency_text(const spona_request *request, const spona_response *response)
{
    output_printf(stdout, _("emergency access to case %s until %s; it is audited and flagged "
                            "for the coordinator's review\n"),
                  request->emergency_access->case_id, response->emergency_access->expires_at);
}

static int emergency_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    uint64_t minutes = 0;
    const char *minutes_text = args_value(args, CASE_OPTION_MINUTES);
    if (minutes_text != NULL &&
        args_positive("--minutes", minutes_text, UINT32_MAX, &minutes, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    Spona__V1__EmergencyAccessRequest emergency = SPONA__V1__EMERGENCY_ACCESS_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    emergency.case_id = args->operands[0];
    emergency.reason = args_value(args, CASE_OPTION_REASON);
    emergency.duration_minutes = (uint32_t)minutes;
    request.body_case = SPONA__V1__REQUEST__BODY_EMERGENCY_ACCESS;
    request.emergency_access = &emergency;
    return remote_write_print(settings, args, &request, emergency_json, emergency_text);
}

static const struct args_option case_open_options[] = {
    { "reason", CASE_OPTION_REASON, ARGS_VALUE, "TEXT" },
    { "opened-on", CASE_OPTION_OPENED_ON, ARGS_VALUE, "YYYY-MM-DD" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command case_open = {
    .name = "open",
    .summary = N_("open a case for a person (lead agency)"),
    .help = N_("Usage: spona case open PERSON_ID [--reason TEXT] [--opened-on YYYY-MM-DD]\n"
            "                        [OPTIONS]\n"
            "\n"
            "Opens a case for the person; your institution (the lead agency) leads it and\n"
            "is its first team member. Prints the case id and number.\n"
            "\n"
            "  --reason TEXT   why the case is opened\n"
            "  --opened-on D   the day a paper case was opened (moving it into Spona)\n"),
    .help_notes = {commands_help_idempotency},
    .options = case_open_options,
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = case_open_run,
};

static const struct command case_show = {
    .name = "show",
    .summary = N_("show a case: stage, lead, team and the person"),
    .help = N_("Usage: spona case show CASE_ID [OPTIONS]\n"
            "\n"
            "Shows the case's stage, lead institution and team (who joined, how and when),\n"
            "then the person as `spona person show` does: only what your institution may\n"
            "see, and why. For the case team.\n"),
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = case_show_run,
};

static const struct args_option case_exclude_options[] = {
    { "institution", CASE_OPTION_INSTITUTION, ARGS_VALUE | ARGS_REQUIRED, "INSTITUTION_CODE" },
    { "user", CASE_OPTION_USER, ARGS_VALUE, "NAME" },
    { "reason", CASE_OPTION_REASON, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command case_exclude = {
    .name = "exclude",
    .summary = N_("exclude a user or a whole institution from a case (case lead)"),
    .help = N_("Usage: spona case exclude CASE_ID --institution CODE [--user NAME]\n"
            "                         --reason TEXT [OPTIONS]\n"
            "\n"
            "Shuts a named user of an institution (with --user), or the whole institution,\n"
            "out of the case, e.g. a relative of the perpetrator working at a partner. From\n"
            "their next request on they see nothing of the case, whatever the protocol and\n"
            "consent say. For the case's lead institution, which cannot exclude itself\n"
            "(only a named user of its own). Audited. Prints the exclusion id.\n"
            "\n"
            "  --institution CODE   the user's institution, or the one to exclude (required)\n"
            "  --user NAME          a user of that institution (default: all of it)\n"
            "  --reason TEXT        why (required)\n"),
    .help_notes = {commands_help_idempotency},
    .options = case_exclude_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = case_exclude_run,
};

static const struct command *const case_subcommands[] = {
    &command_case_list,
    &case_open,
    &case_show,
    &case_exclude,
    &command_case_advance,
    &command_case_close,
    &command_case_reopen,
    NULL,
};

const struct command command_case = {
    .name = "case",
    .summary = N_("cases: one per person, led by the lead agency"),
    .help = N_("Usage: spona case SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "A case: one case manager's institution leads it; partners join its team by\n"
            "accepting a referral (spona refer, spona referral accept). Its stages: intake,\n"
            "assessment, planning, implementation, review, closed.\n"),
    .subcommands = case_subcommands,
};

static const struct args_option refer_options[] = {
    { "to", CASE_OPTION_TO, ARGS_VALUE | ARGS_REQUIRED, "INSTITUTION_CODE" },
    { "measure", CASE_OPTION_MEASURE, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    { "due", CASE_OPTION_DUE, ARGS_VALUE, "YYYY-MM-DD" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_refer = {
    .name = "refer",
    .summary = N_("refer a case's person to a partner institution (case lead)"),
    .help = N_("Usage: spona refer CASE_ID --to INSTITUTION_CODE --measure TEXT\n"
            "                   [--due YYYY-MM-DD] [OPTIONS]\n"
            "\n"
            "Refers the person of the case to a signatory institution for a measure. The\n"
            "institution joins the case team when it accepts (spona referral accept).\n"
            "Prints the referral id. For the case's lead institution.\n"
            "\n"
            "  --to CODE          the institution, e.g. prijedor.zzz (required)\n"
            "  --measure TEXT     what it is asked to do (required)\n"
            "  --due YYYY-MM-DD   by when\n"),
    .help_notes = {commands_help_idempotency},
    .options = refer_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = refer_run,
};

static const struct args_option referral_accept_options[] = {
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command referral_accept = {
    .name = "accept",
    .summary = N_("accept a referral to your institution and join the case team"),
    .help = N_("Usage: spona referral accept REFERRAL_ID [OPTIONS]\n"
            "\n"
            "Accepts a referral addressed to your institution: it joins the case team and\n"
            "sees what the protocol lets its role see. Prints the case id and the\n"
            "referral's new version.\n"
            "\n"),
    .help_notes = {commands_help_idempotency},
    .options = referral_accept_options,
    .operands = "REFERRAL_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = referral_accept_run,
};

static const struct command *const referral_subcommands[] = {
    &referral_accept,
    &command_referral_decline,
    &command_referral_complete,
    NULL,
};

const struct command command_referral = {
    .name = "referral",
    .summary = N_("referrals to your institution"),
    .help = N_("Usage: spona referral SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "Referrals that a case's lead sent to your institution (spona refer).\n"),
    .subcommands = referral_subcommands,
};

static const struct command *const emergency_subcommands[] = {
    &command_emergency_review,
    NULL,
};

static const struct args_option emergency_options[] = {
    { "reason", CASE_OPTION_REASON, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    { "minutes", CASE_OPTION_MINUTES, ARGS_VALUE, "N" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_emergency = {
    .name = "emergency",
    .summary = N_("break-glass access to a case, for a limited time (lead agency)"),
    .help = N_("Usage: spona emergency CASE_ID --reason TEXT [--minutes N] [OPTIONS]\n"
            "       spona emergency review [--unreviewed] [--mark ID [--note TEXT]] [OPTIONS]\n"
            "\n"
            "Break-glass access: a lead-agency user opens a case outside the rules of the\n"
            "protocol, with a written reason. Your institution joins the case team for N\n"
            "minutes and reads every person-level category. Every use is audited and\n"
            "flagged for the coordinator's review.\n"
            "\n"
            "  --reason TEXT   why (required; at least 20 characters)\n"
            "  --minutes N     how long (default 60, at most 480)\n"
            "\n"
            "`spona emergency review` lists these accesses for the coordinator's review.\n"),
    .help_notes = {commands_help_idempotency},
    .options = emergency_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .subcommands = emergency_subcommands,
    .run = emergency_run,
};
