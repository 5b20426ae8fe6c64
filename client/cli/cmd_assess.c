/*
 * The needs assessment of a case: `spona assess` records one (a new version
 * each time; the case's lead), `spona assessment show` shows one. Each domain
 * has its own data category (docs/cases.md), so a partner sees only the
 * domains its role may read; the server leaves the others out and says why.
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

enum assess_option {
    ASSESS_OPTION_ON = 1,
    ASSESS_OPTION_DOMAIN,
    ASSESS_OPTION_STRENGTHS,
    ASSESS_OPTION_VERSION,
};

/* The domains of a request, from --domain NAME=RATING[:NOTES]; owns the copies. */
struct assess_domains {
    Spona__V1__AssessmentDomain *items;
    Spona__V1__AssessmentDomain **pointers;
    char **copies;
    size_t count;
};

static void assess_domains_free(struct assess_domains *domains)
{
    for (size_t i = 0; domains->copies != NULL && i < domains->count; i++)
        free(domains->copies[i]);
    free(domains->copies);
    free(domains->pointers);
    free(domains->items);
    memset(domains, 0, sizeof(*domains));
}

/* Parses one --domain value into domain (strings point into *copy). 0, or -1 with err set. */
static int assess_domain_parse(const char *text, char **copy,
                               Spona__V1__AssessmentDomain *domain, char *err, size_t err_size)
{
    *copy = strdup(text);
    if (*copy == NULL) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    char *equals = strchr(*copy, '=');
    if (equals == NULL || equals == *copy) {
        snprintf(err, err_size, _("--domain '%s': expected NAME=RATING[:NOTES]"), text);
        return -1;
    }
    *equals = '\0';
    char *rating = equals + 1;
    char *colon = strchr(rating, ':');
    if (colon != NULL)
        *colon = '\0';
    if (strlen(rating) != 1 || rating[0] < '1' || rating[0] > '5') {
        snprintf(err, err_size,
                 _("--domain '%s': rating '%s': expected 1 (no barrier) to 5 (severe barrier)"),
                 text, rating);
        return -1;
    }
    domain->domain = *copy;
    domain->rating = (uint32_t)(rating[0] - '0');
    if (colon != NULL)
        domain->notes = colon + 1;
    return 0;
}

/* Collects the --domain options in order; a domain named twice is an error. */
static int assess_domains_collect(struct assess_domains *domains, const struct args *args,
                                  char *err, size_t err_size)
{
    memset(domains, 0, sizeof(*domains));
    domains->items = calloc(args->item_count + 1, sizeof(*domains->items));
    domains->pointers = calloc(args->item_count + 1, sizeof(*domains->pointers));
    domains->copies = calloc(args->item_count + 1, sizeof(*domains->copies));
    if (domains->items == NULL || domains->pointers == NULL || domains->copies == NULL) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    for (size_t i = 0; i < args->item_count; i++) {
        if (args->items[i].id != ASSESS_OPTION_DOMAIN)
            continue;
        size_t n = domains->count;
        Spona__V1__AssessmentDomain init = SPONA__V1__ASSESSMENT_DOMAIN__INIT;
        domains->items[n] = init;
        domains->pointers[n] = &domains->items[n];
        domains->count++;
        if (assess_domain_parse(args->items[i].value, &domains->copies[n], &domains->items[n],
                                err, err_size) != 0)
            return -1;
        for (size_t j = 0; j < n; j++)
            if (strcmp(domains->items[j].domain, domains->items[n].domain) == 0) {
                snprintf(err, err_size, _("domain '%s' is given more than once"),
                         domains->items[n].domain);
                return -1;
            }
    }
    return 0;
}

/* The assessment's JSON members. */
static void assessment_json(struct json_writer *writer, const Spona__V1__AssessmentView *view)
{
    json_string(writer, "assessment_id", view->assessment_id);
    json_string(writer, "case_id", view->case_id);
    json_uint(writer, "version", view->version);
    json_string(writer, "assessed_on", view->assessed_on);
    json_string(writer, "assessor", view->assessor);
    json_array_begin(writer, "domains");
    for (size_t i = 0; i < view->n_domains; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "domain", view->domains[i]->domain);
        json_uint(writer, "rating", view->domains[i]->rating);
        json_string(writer, "notes", view->domains[i]->notes);
        json_string(writer, "category", view->domains[i]->category);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_string(writer, "strengths", view->strengths);
    view_decisions_json(writer, "decisions", view->decisions, view->n_decisions);
}

static void assessment_show_json(struct json_writer *writer, const spona_request *request,
                                 const spona_response *response)
{
    (void)request;
    assessment_json(writer, response->assessment_get);
}

static void assess_json(struct json_writer *writer, const spona_request *request,
                        const spona_response *response)
{
    (void)request;
    assessment_json(writer, response->assessment_record);
    view_stage_suggestion_json(writer, response->assessment_record->stage_suggestion);
}

/* The assessment: header lines, a table domain | rating | category | notes, strengths,
 * then the decision on each category. */
static void assessment_show_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__AssessmentView *view = response->assessment_get;
    char version[32];
    snprintf(version, sizeof(version), "%u", (unsigned)view->version);
    const struct view_line lines[] = {
        { _("case"), view->case_id },          { _("assessment"), view->assessment_id },
        { _("version"), version },             { _("assessed on"), view->assessed_on },
        { _("assessor"), view->assessor },
    };
    view_lines(stdout, lines, sizeof(lines) / sizeof(lines[0]));
    printf("\n");
    if (view->n_domains == 0) {
        fputs(_("(no domain of this assessment is visible to you)\n"), stdout);
    } else {
        struct table table;
        table_init(&table, 4);
        const char *header[] = { _("domain"), _("rating"), _("category"), _("notes") };
        int failed = table_add(&table, header);
        for (size_t i = 0; !failed && i < view->n_domains; i++) {
            const Spona__V1__AssessmentDomain *domain = view->domains[i];
            char rating[16];
            snprintf(rating, sizeof(rating), "%u", (unsigned)domain->rating);
            const char *row[] = { i18n_code_label("domain", domain->domain), rating,
                                  i18n_code_label("category", domain->category), domain->notes };
            failed = table_add(&table, row);
        }
        table_print(&table, stdout, 0);
        table_free(&table);
    }
    if (view->strengths[0] != '\0') {
        printf("\n%s\n  ", _("strengths"));
        output_indented(stdout, view->strengths, 2);
        printf("\n");
    }
    view_decisions_text(stdout, view->decisions, view->n_decisions);
}

static void assess_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__AssessmentView *view = response->assessment_record;
    size_t count = request->assessment_record->n_domains;
    output_printf(stdout,
                  i18n_n("recorded assessment version %u of case %s (%zu domain, assessed on "
                         "%s)\n",
                         "recorded assessment version %u of case %s (%zu domains, assessed on "
                         "%s)\n",
                         count),
                  (unsigned)view->version, view->case_id, count, view->assessed_on);
    view_stage_suggestion(stdout, view->stage_suggestion, view->case_id);
}

static int assess_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    struct assess_domains domains;
    int code;
    Spona__V1__AssessmentRecordRequest record = SPONA__V1__ASSESSMENT_RECORD_REQUEST__INIT;
    record.case_id = args->operands[0];
    if (args_has(args, ASSESS_OPTION_ON)) /* else empty: the server's today */
        record.assessed_on = args_value(args, ASSESS_OPTION_ON);
    if (args_has(args, ASSESS_OPTION_STRENGTHS))
        record.strengths = args_value(args, ASSESS_OPTION_STRENGTHS);
    if (assess_domains_collect(&domains, args, err, sizeof(err)) != 0 ||
        (args_has(args, ASSESS_OPTION_ON) &&
         args_date("--on", record.assessed_on, err, sizeof(err)) != 0)) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    spona_request request = SPONA__V1__REQUEST__INIT;
    record.n_domains = domains.count;
    record.domains = domains.pointers;
    request.body_case = SPONA__V1__REQUEST__BODY_ASSESSMENT_RECORD;
    request.assessment_record = &record;
    code = remote_write_print(settings, args, &request, assess_json, assess_text);

cleanup:
    assess_domains_free(&domains);
    return code;
}

static int assessment_show_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    uint64_t version = 0;
    const char *version_text = args_value(args, ASSESS_OPTION_VERSION);
    if (version_text != NULL &&
        args_positive("--version", version_text, UINT32_MAX, &version, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    Spona__V1__AssessmentGetRequest get = SPONA__V1__ASSESSMENT_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    get.case_id = args->operands[0];
    get.version = (uint32_t)version;
    request.body_case = SPONA__V1__REQUEST__BODY_ASSESSMENT_GET;
    request.assessment_get = &get;
    return remote_read_print(settings, &request, assessment_show_json, assessment_show_text);
}

static const struct args_option assess_options[] = {
    { "on", ASSESS_OPTION_ON, ARGS_VALUE, "YYYY-MM-DD" },
    { "domain", ASSESS_OPTION_DOMAIN, ARGS_VALUE | ARGS_REPEATABLE | ARGS_REQUIRED,
      "NAME=RATING[:NOTES]" },
    { "strengths", ASSESS_OPTION_STRENGTHS, ARGS_VALUE, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_assess = {
    .name = "assess",
    .summary = N_("record a needs assessment of a case (case lead)"),
    .help = N_("Usage: spona assess CASE_ID [--on DATE] --domain NAME=RATING[:NOTES] ...\n"
            "                    [--strengths TEXT] [OPTIONS]\n"
            "\n"
            "Records a needs assessment of the case, with you as the assessor; each one is\n"
            "a new version, earlier ones are kept. Each domain is rated from 1 (no barrier)\n"
            "to 5 (severe barrier), with notes. For the case's lead institution.\n"
            "\n"
            "  --on DATE         the date of the assessment, dd.mm.yyyy or YYYY-MM-DD\n"
            "                    (default: today)\n"
            "  --domain D        NAME=RATING or NAME=RATING:NOTES (repeatable, at least one):\n"
            "                    education_skills, work_history, health_disability, housing,\n"
            "                    family_care, finances, domestic_violence, transport,\n"
            "                    childcare, documents, discrimination\n"
            "  --strengths TEXT  the person's strengths\n"),
    .help_notes = {commands_help_idempotency},
    .options = assess_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = assess_run,
};

static const struct args_option assessment_show_options[] = {
    { "version", ASSESS_OPTION_VERSION, ARGS_VALUE, "N" },
    { NULL, 0, 0, NULL },
};

static const struct command assessment_show = {
    .name = "show",
    .summary = N_("show a case's needs assessment (what you may see)"),
    .help = N_("Usage: spona assessment show CASE_ID [--version N] [OPTIONS]\n"
            "\n"
            "Shows the latest needs assessment of the case, or version N: date, assessor,\n"
            "a table domain | rating | category | notes with the domains whose category\n"
            "your institution may read, the strengths, then the decision on each category.\n"
            "For the case team.\n"
            "\n"
            "  --version N   that version instead of the latest (not the program's version:\n"
            "                use -V for that)\n"),
    .options = assessment_show_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = assessment_show_run,
};

static const struct command *const assessment_subcommands[] = {
    &assessment_show,
    NULL,
};

const struct command command_assessment = {
    .name = "assessment",
    .summary = N_("a case's needs assessments"),
    .help = N_("Usage: spona assessment SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "A case's needs assessments (recorded with spona assess).\n"),
    .subcommands = assessment_subcommands,
};
