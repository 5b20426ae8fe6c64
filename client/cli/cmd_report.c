/*
 * `spona report`: the protocol's indicators for your municipality and a period
 * (docs/reports.md), as a table, CSV (--csv, for spreadsheets), JSON (--json) or
 * a printable PDF with charts (--pdf FILE, report_pdf.c).
 * The server decides who may ask and suppresses small cells ("<5") for every
 * institution but the lead agency; this command only prints what it got.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_documents.h"
#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "report_labels.h"
#include "table.h"
#include "view.h"

enum report_option {
    REPORT_OPTION_FROM = 1,
    REPORT_OPTION_TO,
    REPORT_OPTION_CSV,
    REPORT_OPTION_PDF,
};

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
static void report_csv_field(const char *text, int last)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, stdout);
    } else {
        putchar('"');
        for (const char *c = text; *c != '\0'; c++) {
            if (*c == '"')
                putchar('"');
            putchar(*c);
        }
        putchar('"');
    }
    putchar(last ? '\n' : ',');
}

static void report_csv(const Spona__V1__ReportResponse *answer)
{
    fputs("indicator,breakdown,value\n", stdout);
    for (size_t i = 0; i < answer->n_rows; i++) {
        report_csv_field(answer->rows[i]->indicator, 0);
        report_csv_field(answer->rows[i]->breakdown, 0);
        report_csv_field(answer->rows[i]->value, 1);
    }
}

static void report_json(const Spona__V1__ReportResponse *answer)
{
    struct json_writer writer;
    view_json_open(&writer);
    json_string(&writer, "municipality_code", answer->municipality_code);
    json_string(&writer, "from", answer->from);
    json_string(&writer, "to", answer->to);
    json_uint(&writer, "protocol_version", answer->protocol_version);
    json_bool(&writer, "suppressed_view", answer->suppressed_view);
    json_string(&writer, "released_at", answer->released_at);
    json_array_begin(&writer, "rows");
    for (size_t i = 0; i < answer->n_rows; i++) {
        json_object_begin(&writer, NULL);
        json_string(&writer, "indicator", answer->rows[i]->indicator);
        json_string(&writer, "breakdown", answer->rows[i]->breakdown);
        json_string(&writer, "value", answer->rows[i]->value);
        json_object_end(&writer);
    }
    json_array_end(&writer);
    json_object_end(&writer);
}

static void report_text(const Spona__V1__ReportResponse *answer)
{
    output_printf(stdout, _("Indicators of %s, %s to %s (protocol version %u)\n"),
                  answer->municipality_code, answer->from, answer->to,
                  (unsigned)answer->protocol_version);
    if (answer->suppressed_view)
        output_printf(stdout, _("Figures as released on %s.\nCounts from 1 to 4 are shown as "
                                "<5; x marks a figure hidden so that a <5\ncannot be worked "
                                "out from the others.\n"),
                      answer->released_at);
    printf("\n");
    struct table table;
    table_init(&table, 3);
    const char *header[] = { _("indicator"), _("breakdown"), _("value") };
    int failed = table_add(&table, header);
    const char *previous = "";
    for (size_t i = 0; !failed && i < answer->n_rows; i++) {
        /* the indicator's name on its first row only, the breakdown and value in words */
        char breakdown[256];
        const char *indicator = answer->rows[i]->indicator;
        const char *row[] = {
            strcmp(indicator, previous) == 0 ? "" : report_label_indicator(indicator),
            report_label_breakdown(NULL, answer->rows[i]->breakdown, breakdown,
                                   sizeof(breakdown)),
            report_label_value(answer->rows[i]->value) };
        failed = table_add(&table, row);
        previous = indicator;
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

static int report_run(const struct settings *settings, const struct args *args)
{
    int csv = args_has(args, REPORT_OPTION_CSV);
    const char *pdf = args_value(args, REPORT_OPTION_PDF);
    if ((csv != 0) + (pdf != NULL) + (settings->json != 0) > 1)
        return output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("--csv, --json and --pdf exclude each other"), OUTPUT_EXIT_USAGE);
    Spona__V1__ReportRequest report = SPONA__V1__REPORT_REQUEST__INIT;
    char *from = args_value(args, REPORT_OPTION_FROM), *to = args_value(args, REPORT_OPTION_TO);
    if (from != NULL)
        report.from = from;
    if (to != NULL)
        report.to = to;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REPORT;
    request.report = &report;
    spona_response *response = NULL;
    int code = remote_session_call(settings, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        return code;
    if (pdf != NULL)
        code = documents_report(settings, response->report, pdf);
    else if (settings->json)
        report_json(response->report);
    else if (csv)
        report_csv(response->report);
    else
        report_text(response->report);
    envelope_free_response(response);
    return code;
}

static const struct args_option report_options[] = {
    { "from", REPORT_OPTION_FROM, ARGS_VALUE, "DATE" },
    { "to", REPORT_OPTION_TO, ARGS_VALUE, "DATE" },
    { "csv", REPORT_OPTION_CSV, 0, NULL },
    { "pdf", REPORT_OPTION_PDF, ARGS_VALUE, "FILE" },
    { NULL, 0, 0, NULL },
};

const struct command command_report = {
    .name = "report",
    .summary = N_("the protocol's indicators for a period (counts only)"),
    .help = N_("Usage: spona report [--from DATE] [--to DATE] [--csv | --json | --pdf FILE]\n"
            "                    [OPTIONS]\n"
            "\n"
            "The protocol's indicators for your municipality (docs/reports.md): persons in\n"
            "integrated case management by sex, age band, area and priority group, assessed,\n"
            "with a plan, referred, referral answers, training, employment by pathway and\n"
            "group, follow-ups, the median days from case opening to employment, and\n"
            "one-time assistance recipients per year. Counts only. The lead agency gets\n"
            "live figures for any period; every other institution one calendar quarter\n"
            "that has ended, as released once, with counts from 1 to 4 shown as <5 and x\n"
            "for a figure hidden so that a <5 cannot be worked out.\n"
            "\n"
            "  --from DATE   first day (YYYY-MM-DD; default: the lead: the 1st of the month\n"
            "                11 months ago; others: the first day of the last ended quarter)\n"
            "  --to DATE     last day (default: the lead: the last day of the current month;\n"
            "                others: the last day of the last ended quarter)\n"
            "  --csv         indicator,breakdown,value lines for a spreadsheet\n"
            "  --pdf FILE    write a printable A4 report to FILE: key figures and charts\n"
            "                (employed by pathway, persons by priority group, one-time\n"
            "                assistance per year), then the full table; prints \"wrote FILE\"\n"),
    .options = report_options,
    .run = report_run,
};
