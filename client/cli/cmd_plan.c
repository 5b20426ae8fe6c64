/*
 * The individual activation plan of a case: `spona plan add-goal | add-measure
 * | set-status | show | print`. Every change makes a new plan version on the
 * server (old ones are kept), so a change carries the version it was made on.
 * The lead changes anything; a partner sets the status of its own measures.
 * `plan print` prints the server's document, fit to print and sign, as it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_documents.h"
#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"
#include "view.h"

enum plan_option {
    PLAN_OPTION_VERSION = 1,
    PLAN_OPTION_TEXT,
    PLAN_OPTION_TARGET,
    PLAN_OPTION_KIND,
    PLAN_OPTION_RESPONSIBLE,
    PLAN_OPTION_DUE,
    PLAN_OPTION_GOAL,
    PLAN_OPTION_MEASURE,
    PLAN_OPTION_REVIEW,
    PLAN_OPTION_OBLIGATIONS,
    PLAN_OPTION_PDF,
};

/* The plan's JSON members. */
static void plan_json(struct json_writer *writer, const Spona__V1__PlanView *view)
{
    json_string(writer, "plan_id", view->plan_id);
    json_string(writer, "case_id", view->case_id);
    json_uint(writer, "version", view->version);
    json_array_begin(writer, "goals");
    for (size_t i = 0; i < view->n_goals; i++) {
        const Spona__V1__PlanGoal *goal = view->goals[i];
        json_object_begin(writer, NULL);
        json_uint(writer, "number", goal->number);
        json_string(writer, "text", goal->text);
        json_string(writer, "target_date", goal->target_date);
        json_string(writer, "status", goal->status);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_array_begin(writer, "measures");
    for (size_t i = 0; i < view->n_measures; i++) {
        const Spona__V1__PlanMeasure *measure = view->measures[i];
        json_object_begin(writer, NULL);
        json_uint(writer, "number", measure->number);
        json_string(writer, "kind", measure->kind);
        json_string(writer, "description", measure->description);
        json_string(writer, "responsible_institution_code",
                    measure->responsible_institution_code);
        json_string(writer, "due_date", measure->due_date);
        json_string(writer, "status", measure->status);
        json_string(writer, "referral_id", measure->referral_id);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_string(writer, "review_date", view->review_date);
    json_string(writer, "obligations", view->obligations);
    json_string(writer, "changed_at", view->changed_at);
    json_string(writer, "changed_by", view->changed_by);
    json_string(writer, "document", view->document);
    json_array_begin(writer, "versions");
    for (size_t i = 0; i < view->n_versions; i++)
        json_uint(writer, NULL, view->versions[i]);
    json_array_end(writer);
}

static void plan_get_json(struct json_writer *writer, const spona_request *request,
                          const spona_response *response)
{
    (void)request;
    plan_json(writer, response->plan_get);
}

/* plan print: the printable document; plan show: the plan. */
static void plan_get_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__PlanView *view = response->plan_get;
    if (request->plan_get->printable) {
        output_block(stdout, view->document);
        return;
    }
    char version[160];
    size_t used = (size_t)snprintf(version, sizeof(version), "%u", (unsigned)view->version);
    for (size_t i = 0; i < view->n_versions && used < sizeof(version); i++)
        used += (size_t)snprintf(version + used, sizeof(version) - used, "%s%u",
                                 i == 0 ? _(" (versions ") : ", ", (unsigned)view->versions[i]);
    if (view->n_versions > 0 && used < sizeof(version))
        snprintf(version + used, sizeof(version) - used, ")");
    char changed[160];
    if (view->changed_by[0] != '\0')
        snprintf(changed, sizeof(changed), _("%s by %s"), view->changed_at, view->changed_by);
    else
        snprintf(changed, sizeof(changed), "%s", view->changed_at);
    const struct view_line lines[] = {
        { _("case"), view->case_id },     { _("plan"), view->plan_id },
        { _("version"), version },        { _("changed"), changed },
        { _("review"), view->review_date }, { _("obligations"), view->obligations },
    };
    view_lines(stdout, lines, sizeof(lines) / sizeof(lines[0]));

    struct table table;
    table_init(&table, 4);
    const char *goal_header[] = { "#", _("goal"), _("target"), _("status") };
    int failed = table_add(&table, goal_header);
    for (size_t i = 0; !failed && i < view->n_goals; i++) {
        const Spona__V1__PlanGoal *goal = view->goals[i];
        char number[16];
        snprintf(number, sizeof(number), "%u", (unsigned)goal->number);
        const char *row[] = { number, goal->text, goal->target_date,
                              i18n_code_label("goal_status", goal->status) };
        failed = table_add(&table, row);
    }
    printf("\n%s\n", view->n_goals == 0 ? _("goals: none yet") : _("goals"));
    if (view->n_goals > 0)
        table_print(&table, stdout, 2);
    table_free(&table);

    table_init(&table, 7);
    const char *measure_header[] = { "#", _("kind"), _("measure"), _("responsible"), _("due"),
                                     _("status"), _("referral") };
    failed = table_add(&table, measure_header);
    for (size_t i = 0; !failed && i < view->n_measures; i++) {
        const Spona__V1__PlanMeasure *measure = view->measures[i];
        char number[16];
        snprintf(number, sizeof(number), "%u", (unsigned)measure->number);
        const char *row[] = { number,
                              i18n_code_label("measure_kind", measure->kind),
                              measure->description,
                              measure->responsible_institution_code,
                              measure->due_date,
                              i18n_code_label("measure_status", measure->status),
                              measure->referral_id };
        failed = table_add(&table, row);
    }
    printf("\n%s\n", view->n_measures == 0 ? _("measures: none yet") : _("measures"));
    if (view->n_measures > 0)
        table_print(&table, stdout, 2);
    table_free(&table);
}

/*
 * Parses NUM=STATUS into *number and *status (pointing into text after the
 * '='; text is argv's, not written to). 0, or -1 with err set.
 */
static int plan_status_parse(const char *option, char *text, uint32_t *number, char **status,
                             char *err, size_t err_size)
{
    char digits[16];
    char *equals = strchr(text, '=');
    size_t length = equals != NULL ? (size_t)(equals - text) : 0;
    uint64_t value = 0;
    if (length > 0 && length < sizeof(digits)) {
        memcpy(digits, text, length);
        digits[length] = '\0';
    }
    if (equals == NULL || equals[1] == '\0' || length == 0 || length >= sizeof(digits) ||
        args_positive(option, digits, UINT32_MAX, &value, err, err_size) != 0) {
        snprintf(err, err_size, _("%s '%s': expected NUMBER=STATUS (the number in plan show)"),
                 option, text);
        return -1;
    }
    *number = (uint32_t)value;
    *status = equals + 1;
    return 0;
}

/* The parts of a plan change, built from the command line; owns the arrays. */
struct plan_change {
    Spona__V1__PlanChangeRequest request;
    Spona__V1__PlanGoal goal;         /* add-goal */
    Spona__V1__PlanGoal *goal_pointer;
    Spona__V1__PlanMeasure measure;   /* add-measure */
    Spona__V1__PlanMeasure *measure_pointer;
    Spona__V1__PlanGoal *goal_status; /* set-status */
    Spona__V1__PlanGoal **goal_status_pointers;
    Spona__V1__PlanMeasure *measure_status;
    Spona__V1__PlanMeasure **measure_status_pointers;
};

/* Fills the options every change takes: --version, --review, --obligations. */
static int plan_change_begin(struct plan_change *change, const struct args *args, char *err,
                             size_t err_size)
{
    uint64_t version = 0;
    Spona__V1__PlanChangeRequest init = SPONA__V1__PLAN_CHANGE_REQUEST__INIT;
    memset(change, 0, sizeof(*change));
    change->request = init;
    change->request.case_id = args->operands[0];
    if (args_has(args, ARGS_VERSION) &&
        args_number("--version", args_value(args, ARGS_VERSION), 0, UINT32_MAX, &version, err,
                    err_size) != 0)
        return -1;
    change->request.expected_version = (uint32_t)version;
    if (args_has(args, PLAN_OPTION_REVIEW)) {
        change->request.review_date = args_value(args, PLAN_OPTION_REVIEW);
        if (args_date("--review", change->request.review_date, err, err_size) != 0)
            return -1;
    }
    if (args_has(args, PLAN_OPTION_OBLIGATIONS))
        change->request.obligations = args_value(args, PLAN_OPTION_OBLIGATIONS);
    return 0;
}

static void plan_change_free(struct plan_change *change)
{
    free(change->goal_status);
    free(change->goal_status_pointers);
    free(change->measure_status);
    free(change->measure_status_pointers);
}

static void plan_change_json(struct json_writer *writer, const spona_request *request,
                             const spona_response *response)
{
    (void)request;
    plan_json(writer, response->plan_change);
}

/* "added a goal|added a measure|set N statuses: the plan of case ID is now version N" */
static void plan_change_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__PlanChangeRequest *change = request->plan_change;
    const Spona__V1__PlanView *view = response->plan_change;
    size_t count = change->n_goal_status + change->n_measure_status;
    char what[96];
    if (change->n_add_goals > 0)
        snprintf(what, sizeof(what), "%s", _("added a goal"));
    else if (change->n_add_measures > 0)
        snprintf(what, sizeof(what), "%s", _("added a measure"));
    else
        snprintf(what, sizeof(what), i18n_n("set %zu status", "set %zu statuses", count), count);
    output_printf(stdout, _("%s: the plan of case %s is now version %u\n"), what, view->case_id,
                  (unsigned)view->version);
}

/* Sends the change and reports "WHAT: plan of case ID now version N" (or the plan as JSON). */
static int plan_change_send(const struct settings *settings, const struct args *args,
                            struct plan_change *change)
{
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_PLAN_CHANGE;
    request.plan_change = &change->request;
    return remote_write_print(settings, args, &request, plan_change_json, plan_change_text);
}

static int plan_add_goal_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    struct plan_change change;
    int code;
    if (plan_change_begin(&change, args, err, sizeof(err)) != 0 ||
        (args_has(args, PLAN_OPTION_TARGET) &&
         args_date("--target", args_value(args, PLAN_OPTION_TARGET), err, sizeof(err)) != 0)) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    Spona__V1__PlanGoal init = SPONA__V1__PLAN_GOAL__INIT;
    change.goal = init;
    change.goal.text = args_value(args, PLAN_OPTION_TEXT);
    if (args_has(args, PLAN_OPTION_TARGET))
        change.goal.target_date = args_value(args, PLAN_OPTION_TARGET);
    change.goal_pointer = &change.goal;
    change.request.n_add_goals = 1;
    change.request.add_goals = &change.goal_pointer;
    code = plan_change_send(settings, args, &change);

cleanup:
    plan_change_free(&change);
    return code;
}

static int plan_add_measure_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    struct plan_change change;
    int code;
    if (plan_change_begin(&change, args, err, sizeof(err)) != 0 ||
        (args_has(args, PLAN_OPTION_DUE) &&
         args_date("--due", args_value(args, PLAN_OPTION_DUE), err, sizeof(err)) != 0)) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    Spona__V1__PlanMeasure init = SPONA__V1__PLAN_MEASURE__INIT;
    change.measure = init;
    change.measure.kind = args_value(args, PLAN_OPTION_KIND);
    change.measure.description = args_value(args, PLAN_OPTION_TEXT);
    change.measure.responsible_institution_code = args_value(args, PLAN_OPTION_RESPONSIBLE);
    if (args_has(args, PLAN_OPTION_DUE))
        change.measure.due_date = args_value(args, PLAN_OPTION_DUE);
    change.measure_pointer = &change.measure;
    change.request.n_add_measures = 1;
    change.request.add_measures = &change.measure_pointer;
    code = plan_change_send(settings, args, &change);

cleanup:
    plan_change_free(&change);
    return code;
}

/* Collects --goal and --measure NUM=STATUS in order. 0, or -1 with err set. */
static int plan_statuses_collect(struct plan_change *change, const struct args *args,
                                 char *err, size_t err_size)
{
    size_t count = args->item_count + 1;
    change->goal_status = calloc(count, sizeof(*change->goal_status));
    change->goal_status_pointers = calloc(count, sizeof(*change->goal_status_pointers));
    change->measure_status = calloc(count, sizeof(*change->measure_status));
    change->measure_status_pointers = calloc(count, sizeof(*change->measure_status_pointers));
    if (change->goal_status == NULL || change->goal_status_pointers == NULL ||
        change->measure_status == NULL || change->measure_status_pointers == NULL) {
        snprintf(err, err_size, "%s", _("out of memory"));
        return -1;
    }
    Spona__V1__PlanChangeRequest *request = &change->request;
    for (size_t i = 0; i < args->item_count; i++) {
        const struct args_item *item = &args->items[i];
        uint32_t number = 0;
        char *status = NULL;
        if (item->id == PLAN_OPTION_GOAL) {
            if (plan_status_parse("--goal", item->value, &number, &status, err, err_size) != 0)
                return -1;
            Spona__V1__PlanGoal init = SPONA__V1__PLAN_GOAL__INIT;
            Spona__V1__PlanGoal *goal = &change->goal_status[request->n_goal_status];
            *goal = init;
            goal->number = number;
            goal->status = status;
            change->goal_status_pointers[request->n_goal_status++] = goal;
        } else if (item->id == PLAN_OPTION_MEASURE) {
            if (plan_status_parse("--measure", item->value, &number, &status, err, err_size) !=
                0)
                return -1;
            Spona__V1__PlanMeasure init = SPONA__V1__PLAN_MEASURE__INIT;
            Spona__V1__PlanMeasure *measure = &change->measure_status[request->n_measure_status];
            *measure = init;
            measure->number = number;
            measure->status = status;
            change->measure_status_pointers[request->n_measure_status++] = measure;
        }
    }
    request->goal_status = change->goal_status_pointers;
    request->measure_status = change->measure_status_pointers;
    if (request->n_goal_status + request->n_measure_status == 0) {
        snprintf(err, err_size, "%s",
                 _("no status given: use --goal NUMBER=STATUS or --measure NUMBER=STATUS"));
        return -1;
    }
    return 0;
}

static int plan_set_status_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    struct plan_change change;
    int code;
    if (plan_change_begin(&change, args, err, sizeof(err)) != 0 ||
        plan_statuses_collect(&change, args, err, sizeof(err)) != 0) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    code = plan_change_send(settings, args, &change);

cleanup:
    plan_change_free(&change);
    return code;
}

/* plan show and plan print: the latest plan or --version N, printable or not. */
static int plan_get(const struct settings *settings, const struct args *args, int printable)
{
    char err[256];
    uint64_t version = 0;
    const char *version_text = args_value(args, PLAN_OPTION_VERSION);
    if (version_text != NULL &&
        args_positive("--version", version_text, UINT32_MAX, &version, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    Spona__V1__PlanGetRequest get = SPONA__V1__PLAN_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    get.case_id = args->operands[0];
    get.version = (uint32_t)version;
    get.printable = printable;
    request.body_case = SPONA__V1__REQUEST__BODY_PLAN_GET;
    request.plan_get = &get;
    return remote_read_print(settings, &request, plan_get_json, plan_get_text);
}

static int plan_show_run(const struct settings *settings, const struct args *args)
{
    return plan_get(settings, args, 0);
}

/* plan print: the server's text document, or with --pdf FILE the PDF to sign. */
static int plan_print_run(const struct settings *settings, const struct args *args)
{
    const char *pdf = args_value(args, PLAN_OPTION_PDF);
    if (pdf == NULL)
        return plan_get(settings, args, 1);
    char err[256];
    uint64_t version = 0;
    const char *version_text = args_value(args, PLAN_OPTION_VERSION);
    if (version_text != NULL &&
        args_positive("--version", version_text, UINT32_MAX, &version, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    return documents_plan(settings, args->operands[0], (uint32_t)version, pdf);
}

#define PLAN_CHANGE_OPTIONS                                                                 \
    ARGS_VERSION_OPTION, ARGS_FRESH_OPTION,                                                   \
    { "review", PLAN_OPTION_REVIEW, ARGS_VALUE, "YYYY-MM-DD" },                              \
    { "obligations", PLAN_OPTION_OBLIGATIONS, ARGS_VALUE, "TEXT" },                          \
    ARGS_IDEMPOTENCY_OPTION


static const struct args_option plan_add_goal_options[] = {
    PLAN_CHANGE_OPTIONS,
    { "text", PLAN_OPTION_TEXT, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    { "target", PLAN_OPTION_TARGET, ARGS_VALUE, "YYYY-MM-DD" },
    { NULL, 0, 0, NULL },
};

static const struct command plan_add_goal = {
    .name = "add-goal",
    .summary = N_("add a goal to a case's activation plan (case lead)"),
    .help = N_("Usage: spona plan add-goal CASE_ID [--version N] --text TEXT [--target YYYY-MM-DD]\n"
            "                           [OPTIONS]\n"
            "\n"
            "Adds a goal (status open) to the individual activation plan of the case, which\n"
            "becomes a new plan version. For the case's lead institution.\n"
            "\n"
            "  --text TEXT          the goal (required)\n"
            "  --target YYYY-MM-DD  when it should be reached\n"),
    .help_notes = {commands_help_plan_change, commands_help_idempotency},
    .options = plan_add_goal_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = plan_add_goal_run,
};

static const struct args_option plan_add_measure_options[] = {
    PLAN_CHANGE_OPTIONS,
    { "kind", PLAN_OPTION_KIND, ARGS_VALUE | ARGS_REQUIRED, "KIND" },
    { "text", PLAN_OPTION_TEXT, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    { "responsible", PLAN_OPTION_RESPONSIBLE, ARGS_VALUE | ARGS_REQUIRED, "INSTITUTION_CODE" },
    { "due", PLAN_OPTION_DUE, ARGS_VALUE, "YYYY-MM-DD" },
    { NULL, 0, 0, NULL },
};

static const struct command plan_add_measure = {
    .name = "add-measure",
    .summary = N_("add a measure to a case's activation plan (case lead)"),
    .help = N_("Usage: spona plan add-measure CASE_ID [--version N] --kind KIND --text TEXT\n"
            "                              --responsible INSTITUTION_CODE [--due YYYY-MM-DD]\n"
            "                              [OPTIONS]\n"
            "\n"
            "Adds a measure (status planned) to the individual activation plan of the case,\n"
            "with the institution responsible for it; the plan becomes a new version. For\n"
            "the case's lead institution. A measure of a partner institution refers the\n"
            "person to it (the referral is sent by itself).\n"
            "\n"
            "  --kind KIND          training, requalification, job_search_support,\n"
            "                       subsidised_employment, self_employment,\n"
            "                       social_enterprise, psychosocial_support, childcare,\n"
            "                       documents, public_works or other (required)\n"
            "  --text TEXT          what the measure is (required)\n"
            "  --responsible CODE   the institution responsible, e.g. prijedor.skola\n"
            "                       (required)\n"
            "  --due YYYY-MM-DD     by when\n"),
    .help_notes = {commands_help_plan_change, commands_help_idempotency},
    .options = plan_add_measure_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = plan_add_measure_run,
};

static const struct args_option plan_set_status_options[] = {
    PLAN_CHANGE_OPTIONS,
    { "goal", PLAN_OPTION_GOAL, ARGS_VALUE | ARGS_REPEATABLE, "NUMBER=STATUS" },
    { "measure", PLAN_OPTION_MEASURE, ARGS_VALUE | ARGS_REPEATABLE, "NUMBER=STATUS" },
    { NULL, 0, 0, NULL },
};

static const struct command plan_set_status = {
    .name = "set-status",
    .summary = N_("set the status of goals and measures of a plan"),
    .help = N_("Usage: spona plan set-status CASE_ID [--version N]\n"
            "                             (--goal N=STATUS | --measure N=STATUS) ...\n"
            "                             [OPTIONS]\n"
            "\n"
            "Sets the status of goals and measures (by their number in plan show); the\n"
            "plan becomes a new version. The case's lead sets any; a partner only the\n"
            "status of measures its institution is responsible for.\n"
            "\n"
            "  --goal N=STATUS      goal N: open, achieved or dropped (repeatable)\n"
            "  --measure N=STATUS   measure N: planned, in_progress, done or cancelled\n"
            "                       (repeatable)\n"),
    .help_notes = {commands_help_plan_change, commands_help_idempotency},
    .options = plan_set_status_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = plan_set_status_run,
};

static const struct args_option plan_get_options[] = {
    { "version", PLAN_OPTION_VERSION, ARGS_VALUE, "N" },
    { NULL, 0, 0, NULL },
};

static const struct command plan_show = {
    .name = "show",
    .summary = N_("show a case's activation plan"),
    .help = N_("Usage: spona plan show CASE_ID [--version N] [OPTIONS]\n"
            "\n"
            "Shows the latest activation plan of the case, or version N: its versions, who\n"
            "changed it last and when, the review date, the person's obligations, the goals\n"
            "(# | goal | target | status) and the measures (# | kind | measure |\n"
            "responsible | due | status). For institutions that may read plan_measures.\n"
            "\n"
            "  --version N   that version instead of the latest (not the program's version:\n"
            "                use -V for that)\n"),
    .options = plan_get_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = plan_show_run,
};

static const struct args_option plan_print_options[] = {
    { "version", PLAN_OPTION_VERSION, ARGS_VALUE, "N" },
    { "pdf", PLAN_OPTION_PDF, ARGS_VALUE, "FILE" },
    { NULL, 0, 0, NULL },
};

static const struct command plan_print = {
    .name = "print",
    .summary = N_("print a case's activation plan as a document to sign"),
    .help = N_("Usage: spona plan print CASE_ID [--version N] [--pdf FILE] [OPTIONS]\n"
            "\n"
            "Prints the activation plan (latest, or version N) as the server renders it: a\n"
            "document fit to print and sign by the person and the case manager. Redirect\n"
            "it to a file to print it. With --json: the plan with its document.\n"
            "\n"
            "  --version N   that version instead of the latest\n"
            "  --pdf FILE    write the plan to sign as a PDF in your language: the person,\n"
            "                the case number, place and date, goals, measures and a\n"
            "                signature line for the person, the case manager and each\n"
            "                partner carrying a measure\n"),
    .options = plan_print_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = plan_print_run,
};

static const struct command *const plan_subcommands[] = {
    &plan_add_goal,
    &plan_add_measure,
    &plan_set_status,
    &plan_show,
    &plan_print,
    NULL,
};

const struct command command_plan = {
    .name = "plan",
    .summary = N_("a case's individual activation plan"),
    .help = N_("Usage: spona plan SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "The individual activation plan of a case: goals with target dates and measures\n"
            "with the institution responsible. Every change makes a new version; earlier\n"
            "versions are kept.\n"),
    .subcommands = plan_subcommands,
};
