/*
 * The caseload: `spona case list` (my cases or my team's, with the person's name
 * as the server lets the caller see it, the stage, the next due date and what is
 * overdue; filters and pages) and `spona directory` (the institutions of the
 * protocol in force). docs/cli.md, "The caseload".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"
#include "view.h"

enum caseload_option {
    CASELOAD_OPTION_MINE = 1,
    CASELOAD_OPTION_TEAM,
    CASELOAD_OPTION_STAGE,
    CASELOAD_OPTION_GROUP,
    CASELOAD_OPTION_OVERDUE,
    CASELOAD_OPTION_BY_DUE,
    CASELOAD_OPTION_PARTNER,
    CASELOAD_OPTION_LIMIT,
    CASELOAD_OPTION_AFTER,
};

static void case_list_json(struct json_writer *writer, const spona_request *request,
                           const spona_response *response)
{
    (void)request;
    const Spona__V1__CaseListResponse *answer = response->case_list;
    json_array_begin(writer, "cases");
    for (size_t i = 0; i < answer->n_cases; i++) {
        const Spona__V1__CaseListRow *row = answer->cases[i];
        json_object_begin(writer, NULL);
        json_string(writer, "case_id", row->case_id);
        json_string(writer, "number", row->number);
        json_string(writer, "person_id", row->person_id);
        json_string(writer, "first_name", row->first_name);
        json_string(writer, "last_name", row->last_name);
        json_bool(writer, "name_hidden", row->name_hidden);
        json_string(writer, "stage", row->stage);
        json_string(writer, "opened_at", row->opened_at);
        json_string(writer, "lead_institution_code", row->lead_institution_code);
        json_string(writer, "next_due", row->next_due);
        json_uint(writer, "overdue_referrals", row->overdue_referrals);
        json_uint(writer, "overdue_measures", row->overdue_measures);
        json_bool(writer, "review_overdue", row->review_overdue);
        json_bool(writer, "due_hidden", row->due_hidden);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_string(writer, "next_cursor", answer->next_cursor);
}

/* "2 referrals, 1 measure, review" or "" */
static void case_list_overdue(char *out, size_t size, const Spona__V1__CaseListRow *row)
{
    out[0] = '\0';
    if (row->due_hidden) {
        snprintf(out, size, "%s", _("(hidden)"));
        return;
    }
    size_t used = 0;
    if (row->overdue_referrals > 0)
        used += (size_t)snprintf(out + used, size - used,
                                 i18n_n("%u referral", "%u referrals", row->overdue_referrals),
                                 row->overdue_referrals);
    if (row->overdue_measures > 0 && used < size) {
        used += (size_t)snprintf(out + used, size - used, "%s", used > 0 ? ", " : "");
        if (used < size)
            used += (size_t)snprintf(out + used, size - used,
                                     i18n_n("%u measure", "%u measures", row->overdue_measures),
                                     row->overdue_measures);
    }
    if (row->review_overdue && used < size)
        snprintf(out + used, size - used, "%s%s", used > 0 ? ", " : "", _("review"));
}

static void case_list_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__CaseListResponse *answer = response->case_list;
    int team = strcmp(request->case_list->scope, "team") == 0;
    if (answer->n_cases == 0) {
        printf("%s\n", team ? _("no case of your team's matches") : _("no case of yours matches"));
        return;
    }
    struct table table;
    table_init(&table, 7);
    const char *header[] = {_("number"), _("person"), _("stage"), _("next due"),
                            _("overdue"), _("lead"), _("case id")};
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < answer->n_cases; i++) {
        const Spona__V1__CaseListRow *row = answer->cases[i];
        char person[256], overdue[128];
        view_person_name(person, sizeof(person), row->first_name, row->last_name,
                         row->name_hidden);
        case_list_overdue(overdue, sizeof(overdue), row);
        const char *cells[] = {row->number, person, i18n_code_label("stage", row->stage),
                               row->due_hidden ? _("(hidden)") : row->next_due, overdue,
                               row->lead_institution_code, row->case_id};
        failed = table_add(&table, cells);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
    if (answer->next_cursor[0] != '\0') {
        output_printf(stdout, _("\nmore cases: add --after %s\n"), answer->next_cursor);
    }
}

/* The filters from the options; 0, or the usage error's exit code after reporting it. */
static int case_list_request(const struct settings *settings, const struct args *args,
                             Spona__V1__CaseListRequest *list)
{
    char err[256];
    if (args_has(args, CASELOAD_OPTION_MINE) && args_has(args, CASELOAD_OPTION_TEAM))
        return output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("give --mine or --team, not both"), OUTPUT_EXIT_USAGE);
    list->scope = args_has(args, CASELOAD_OPTION_TEAM) ? "team" : "mine";
    if (args_has(args, CASELOAD_OPTION_STAGE))
        list->stage = args_value(args, CASELOAD_OPTION_STAGE);
    if (args_has(args, CASELOAD_OPTION_GROUP))
        list->group = args_value(args, CASELOAD_OPTION_GROUP);
    if (args_has(args, CASELOAD_OPTION_PARTNER))
        list->partner = args_value(args, CASELOAD_OPTION_PARTNER);
    if (args_has(args, CASELOAD_OPTION_AFTER))
        list->after = args_value(args, CASELOAD_OPTION_AFTER);
    list->overdue_only = args_has(args, CASELOAD_OPTION_OVERDUE);
    list->by_due = args_has(args, CASELOAD_OPTION_BY_DUE);
    if (args_has(args, CASELOAD_OPTION_LIMIT)) {
        uint64_t limit = 0;
        if (args_positive("--limit", args_value(args, CASELOAD_OPTION_LIMIT), 200, &limit, err,
                          sizeof(err)) != 0)
            return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        list->limit = (uint32_t)limit;
    }
    return OUTPUT_EXIT_OK;
}

static int case_list_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__CaseListRequest list = SPONA__V1__CASE_LIST_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    int code = case_list_request(settings, args, &list);
    if (code != OUTPUT_EXIT_OK)
        return code;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_LIST;
    request.case_list = &list;
    return remote_read_print(settings, &request, case_list_json, case_list_text);
}

static const struct args_option case_list_options[] = {
    { "mine", CASELOAD_OPTION_MINE, 0, NULL },
    { "team", CASELOAD_OPTION_TEAM, 0, NULL },
    { "stage", CASELOAD_OPTION_STAGE, ARGS_VALUE, "STAGE" },
    { "group", CASELOAD_OPTION_GROUP, ARGS_VALUE, "GROUP" },
    { "overdue", CASELOAD_OPTION_OVERDUE, 0, NULL },
    { "by-due", CASELOAD_OPTION_BY_DUE, 0, NULL },
    { "partner", CASELOAD_OPTION_PARTNER, ARGS_VALUE, "CODE" },
    { "limit", CASELOAD_OPTION_LIMIT, ARGS_VALUE, "N" },
    { "after", CASELOAD_OPTION_AFTER, ARGS_VALUE, "CURSOR" },
    { NULL, 0, 0, NULL },
};

const struct command command_case_list = {
    .name = "list",
    .summary = N_("your cases, or your team's: number, person, stage, what is due"),
    .help = N_("Usage: spona case list [--mine|--team] [--stage S] [--group G] [--overdue]\n"
            "                       [--partner CODE] [--by-due] [--limit N] [--after CURSOR]\n"
            "                       [OPTIONS]\n"
            "\n"
            "Lists cases newest first: the case number, the person's name (\"(hidden)\" when\n"
            "the protocol does not let your institution read her identity), the stage, the\n"
            "next due date (of an open referral, an open measure or the plan's review) and\n"
            "what is overdue. Without --stage, open cases only. Every listed person's\n"
            "disclosures show the list.\n"
            "\n"
            "  --mine            cases you lead or hold an accepted referral of (default)\n"
            "  --team            every case your institution is on the team of\n"
            "  --stage S         intake, assessment, planning, implementation, review, closed\n"
            "  --group G         persons of a priority group of the protocol (if you may\n"
            "                    read their safety data)\n"
            "  --overdue         only cases with something overdue\n"
            "  --by-due          the earliest next due date first (no due date last)\n"
            "  --partner CODE    cases on which that institution works or was referred to\n"
            "  --limit N         at most N cases (default 50, at most 200)\n"
            "  --after CURSOR    the next page: the cursor the previous page printed\n"),
    .options = case_list_options,
    .run = case_list_run,
};

static void directory_json(struct json_writer *writer, const spona_request *request,
                           const spona_response *response)
{
    (void)request;
    const Spona__V1__DirectoryResponse *answer = response->directory;
    json_string(writer, "municipality_code", answer->municipality_code);
    json_uint(writer, "protocol_version", answer->protocol_version);
    json_array_begin(writer, "institutions");
    for (size_t i = 0; i < answer->n_institutions; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "institution_code", answer->institutions[i]->institution_code);
        json_string(writer, "name", answer->institutions[i]->name);
        json_string(writer, "role", answer->institutions[i]->role);
        json_string(writer, "contact", answer->institutions[i]->contact);
        json_bool(writer, "enabled", answer->institutions[i]->enabled);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static void directory_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__DirectoryResponse *answer = response->directory;
    if (answer->protocol_version == 0) {
        printf("%s\n", _("no protocol in force: no institutions to list"));
        return;
    }
    output_printf(stdout, _("institutions of protocol %s v%u\n\n"), answer->municipality_code,
                  answer->protocol_version);
    struct table table;
    table_init(&table, 4);
    const char *header[] = {_("code"), _("role"), _("name"), _("contact")};
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < answer->n_institutions; i++) {
        const Spona__V1__DirectoryEntry *entry = answer->institutions[i];
        const char *cells[] = {entry->institution_code, i18n_code_label("role", entry->role),
                               entry->name,
                               entry->contact};
        failed = table_add(&table, cells);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

static int directory_run(const struct settings *settings, const struct args *args)
{
    (void)args;
    Spona__V1__DirectoryRequest directory = SPONA__V1__DIRECTORY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
    request.directory = &directory;
    return remote_read_print(settings, &request, directory_json, directory_text);
}

const struct command command_directory = {
    .name = "directory",
    .summary = N_("the institutions of the protocol in force, with their contacts"),
    .help = N_("Usage: spona directory [OPTIONS]\n"
            "\n"
            "Lists the signatories of your municipality's protocol in force: code, role,\n"
            "full name (as the protocol names it) and contact (as registered).\n"),
    .run = directory_run,
};
