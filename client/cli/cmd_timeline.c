/*
 * `spona timeline CASE_ID`: everything that happened on a case, oldest first,
 * each event shown only when its data category is visible to the caller; the
 * server filters and names the categories it left out, which are printed
 * after the table so that a short timeline is never mistaken for a whole one.
 */
#include <stdio.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"
#include "timeline_summary.h"
#include "view.h"

static void timeline_json(struct json_writer *writer, const spona_request *request,
                          const spona_response *response)
{
    (void)request;
    const Spona__V1__TimelineResponse *answer = response->timeline;
    json_string(writer, "case_id", answer->case_id);
    json_array_begin(writer, "events");
    for (size_t i = 0; i < answer->n_events; i++) {
        const Spona__V1__TimelineEvent *event = answer->events[i];
        json_object_begin(writer, NULL);
        json_string(writer, "at", event->at);
        json_string(writer, "kind", event->kind);
        json_string(writer, "category", event->category);
        json_string(writer, "institution_code", event->institution_code);
        json_string(writer, "username", event->username);
        json_string(writer, "summary", event->summary);
        json_string(writer, "summary_code", event->summary_code);
        json_array_begin(writer, "summary_params");
        for (size_t j = 0; j < event->n_summary_params; j++)
            json_string(writer, NULL, event->summary_params[j]);
        json_array_end(writer);
        json_string(writer, "record_id", event->record_id);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_array_begin(writer, "hidden_categories");
    for (size_t i = 0; i < answer->n_hidden_categories; i++)
        json_string(writer, NULL, answer->hidden_categories[i]);
    json_array_end(writer);
}

static void timeline_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__TimelineResponse *answer = response->timeline;
    output_printf(stdout,
                  i18n_n("timeline of case %s (%zu event)\n\n",
                         "timeline of case %s (%zu events)\n\n", answer->n_events),
                  answer->case_id, answer->n_events);
    if (answer->n_events > 0) {
        struct table table;
        table_init(&table, 5);
        const char *header[] = { _("when"), _("what"), _("institution"), _("user"),
                                 _("summary") };
        int failed = table_add(&table, header);
        for (size_t i = 0; !failed && i < answer->n_events; i++) {
            const Spona__V1__TimelineEvent *event = answer->events[i];
            char summary[512];
            timeline_summary(event, summary, sizeof(summary));
            const char *row[] = { event->at, i18n_code_label("event", event->kind),
                                  event->institution_code,
                                  event->username, summary };
            failed = table_add(&table, row);
        }
        table_print(&table, stdout, 0);
        table_free(&table);
    }
    if (answer->n_hidden_categories == 0)
        return;
    char categories[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < answer->n_hidden_categories && used < sizeof(categories); i++) {
        int written = snprintf(categories + used, sizeof(categories) - used, "%s%s",
                               i > 0 ? ", " : "",
                               i18n_code_label("category", answer->hidden_categories[i]));
        used += written > 0 ? (size_t)written : 0;
    }
    printf("%s", answer->n_events > 0 ? "\n" : "");
    output_printf(stdout, _("hidden: categories %s are not shown: you may not read them\n"),
                  categories);
}

static int timeline_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__TimelineRequest timeline = SPONA__V1__TIMELINE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    timeline.case_id = args->operands[0];
    request.body_case = SPONA__V1__REQUEST__BODY_TIMELINE;
    request.timeline = &timeline;
    return remote_read_print(settings, &request, timeline_json, timeline_text);
}

const struct command command_timeline = {
    .name = "timeline",
    .summary = N_("everything that happened on a case that you may see"),
    .help = N_("Usage: spona timeline CASE_ID [OPTIONS]\n"
            "\n"
            "Lists the events of the case in time order (opened, stage changes,\n"
            "assessments, plan versions, referrals and answers, conferences, notes,\n"
            "outcomes, follow-ups, consents, closing and reopening) as a table\n"
            "when | what | institution | user | summary. Events of a category your\n"
            "institution may not read are left out; the line after the table names\n"
            "those categories. For the case team.\n"),
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = timeline_run,
};
