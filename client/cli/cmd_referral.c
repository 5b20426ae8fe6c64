/*
 * Answers to referrals and the lists of them: `spona referral decline |
 * complete`, `spona inbox` (referrals to your institution) and `spona overdue`
 * (referrals past their due date: with their cases for the lead agency, as
 * counts per institution for the coordinator). Creating and accepting a
 * referral are in cmd_case.c.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"
#include "view.h"

enum referral_option {
    REFERRAL_OPTION_VERSION = 1,
    REFERRAL_OPTION_REASON,
    REFERRAL_OPTION_RESULT,
    REFERRAL_OPTION_OPEN,
};

/* A referral's members in the open object. */
static void referral_members_json(struct json_writer *writer, const Spona__V1__ReferralView *view)
{
    json_string(writer, "referral_id", view->referral_id);
    json_string(writer, "case_id", view->case_id);
    json_string(writer, "institution_code", view->institution_code);
    json_string(writer, "measure", view->measure);
    json_string(writer, "due_date", view->due_date);
    json_string(writer, "status", view->status);
    json_string(writer, "reason", view->reason);
    json_string(writer, "result", view->result);
    json_uint(writer, "version", view->version);
    json_string(writer, "created_at", view->created_at);
    json_bool(writer, "overdue", view->overdue);
    json_string(writer, "case_number", view->case_number);
    json_string(writer, "person_first_name", view->person_first_name);
    json_string(writer, "person_last_name", view->person_last_name);
    json_bool(writer, "person_name_hidden", view->person_name_hidden);
    json_uint(writer, "plan_measure", view->plan_measure);
}

/* The referrals as the JSON array member key. */
static void referrals_json(struct json_writer *writer, const char *key,
                           Spona__V1__ReferralView *const *views, size_t count)
{
    json_array_begin(writer, key);
    for (size_t i = 0; i < count; i++) {
        json_object_begin(writer, NULL);
        referral_members_json(writer, views[i]);
        json_object_end(writer);
    }
    json_array_end(writer);
}

/*
 * A table of referrals: referral | case (its number when known) | person |
 * [institution |] measure | due | status | version | sent | reason or result.
 * The status says OVERDUE too; a person the caller may not identify is "(hidden)".
 */
static void referrals_text(Spona__V1__ReferralView *const *views, size_t count,
                           int with_institution)
{
    struct table table;
    const char *cells[10];
    size_t skip = with_institution ? 10 : 3; /* the institution column's index, or none */
    table_init(&table, with_institution ? 10 : 9);
    const char *header[] = { _("referral"), _("case"),    _("person"), _("institution"),
                             _("measure"),  _("due"),     _("status"), _("version"),
                             _("sent"),     _("reason / result") };
    for (size_t c = 0, n = 0; c < 10; c++)
        if (c != skip)
            cells[n++] = header[c];
    int failed = table_add(&table, cells);
    for (size_t i = 0; !failed && i < count; i++) {
        const Spona__V1__ReferralView *view = views[i];
        char status[64], version[24], person[256], measure[1024], words[1024];
        const char *text = view_measure_words(view->measure, words, sizeof(words));
        snprintf(status, sizeof(status), "%s%s", i18n_code_label("referral_status", view->status),
                 view->overdue ? _(" OVERDUE") : "");
        if (view->plan_measure != 0) /* the plan's measure it carries out */
            snprintf(measure, sizeof(measure), _("%s (plan measure %u)"), text,
                     (unsigned)view->plan_measure);
        else
            snprintf(measure, sizeof(measure), "%s", text);
        snprintf(version, sizeof(version), "%llu", (unsigned long long)view->version);
        view_person_name(person, sizeof(person), view->person_first_name,
                         view->person_last_name, view->person_name_hidden);
        const char *row[] = { view->referral_id, view->case_number[0] != '\0' ? view->case_number
                                                                                 : view->case_id,
                              person,            view->institution_code,
                              measure,           view->due_date,   status,
                              version,           view->created_at,
                              view->reason[0] != '\0' ? view->reason : view->result };
        for (size_t c = 0, n = 0; c < 10; c++)
            if (c != skip)
                cells[n++] = row[c];
        failed = table_add(&table, cells);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

/* The referral a decline or complete answers with. */
static const Spona__V1__ReferralView *referral_answered(const spona_response *response)
{
    return response->body_case == SPONA__V1__RESPONSE__BODY_REFERRAL_DECLINE
               ? response->referral_decline
               : response->referral_complete;
}

static void referral_answer_json(struct json_writer *writer, const spona_request *request,
                                 const spona_response *response)
{
    (void)request;
    referral_members_json(writer, referral_answered(response));
}

/* "declined|completed referral ID of case ID (now version N)" */
static void referral_answer_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__ReferralView *view = referral_answered(response);
    if (request->body_case == SPONA__V1__REQUEST__BODY_REFERRAL_DECLINE)
        output_printf(stdout, _("declined referral %s of case %s (now version %llu)\n"),
                      view->referral_id, view->case_id, (unsigned long long)view->version);
    else
        output_printf(stdout, _("completed referral %s of case %s (now version %llu)\n"),
                      view->referral_id, view->case_id, (unsigned long long)view->version);
}

/* decline and complete: send the answer with --version, report the referral. */
static int referral_answer(const struct settings *settings, const struct args *args,
                           spona_request *request, uint64_t *expected_version)
{
    return remote_write_versioned(settings, args, ARGS_VERSION, request,
                                  expected_version, referral_answer_json, referral_answer_text);
}

static int referral_decline_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__ReferralDeclineRequest decline = SPONA__V1__REFERRAL_DECLINE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    decline.referral_id = args->operands[0];
    decline.reason = args_value(args, REFERRAL_OPTION_REASON);
    request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_DECLINE;
    request.referral_decline = &decline;
    return referral_answer(settings, args, &request, &decline.expected_version);
}

static int referral_complete_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__ReferralCompleteRequest complete = SPONA__V1__REFERRAL_COMPLETE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    complete.referral_id = args->operands[0];
    complete.result = args_value(args, REFERRAL_OPTION_RESULT);
    request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_COMPLETE;
    request.referral_complete = &complete;
    return referral_answer(settings, args, &request, &complete.expected_version);
}

static void inbox_json(struct json_writer *writer, const spona_request *request,
                       const spona_response *response)
{
    (void)request;
    referrals_json(writer, "referrals", response->inbox->referrals, response->inbox->n_referrals);
}

static void inbox_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__InboxResponse *answer = response->inbox;
    int open = request->inbox->open_only;
    if (answer->n_referrals == 0) {
        fputs(open ? _("no open referral to your institution\n")
                   : _("no referral to your institution\n"), stdout);
        return;
    }
    if (open)
        printf(i18n_n("%zu open referral to your institution, newest first\n\n",
                      "%zu open referrals to your institution, newest first\n\n",
                      answer->n_referrals),
               answer->n_referrals);
    else
        printf(i18n_n("%zu referral to your institution, newest first\n\n",
                      "%zu referrals to your institution, newest first\n\n", answer->n_referrals),
               answer->n_referrals);
    referrals_text(answer->referrals, answer->n_referrals, 0);
}

static int inbox_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__InboxRequest inbox = SPONA__V1__INBOX_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    inbox.open_only = args_has(args, REFERRAL_OPTION_OPEN);
    request.body_case = SPONA__V1__REQUEST__BODY_INBOX;
    request.inbox = &inbox;
    return remote_read_print(settings, &request, inbox_json, inbox_text);
}

static void overdue_json(struct json_writer *writer, const spona_request *request,
                         const spona_response *response)
{
    (void)request;
    const Spona__V1__OverdueResponse *answer = response->overdue;
    referrals_json(writer, "referrals", answer->referrals, answer->n_referrals);
    json_array_begin(writer, "counts");
    for (size_t i = 0; i < answer->n_counts; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "institution_code", answer->counts[i]->institution_code);
        json_uint(writer, "overdue", answer->counts[i]->overdue);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static void overdue_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__OverdueResponse *answer = response->overdue;
    if (answer->n_referrals == 0 && answer->n_counts == 0)
        fputs(_("no overdue referral\n"), stdout);
    if (answer->n_referrals > 0) {
        printf(i18n_n("%zu overdue referral\n\n", "%zu overdue referrals\n\n",
                      answer->n_referrals),
               answer->n_referrals);
        referrals_text(answer->referrals, answer->n_referrals, 1);
    }
    if (answer->n_counts > 0) {
        struct table table;
        table_init(&table, 2);
        const char *header[] = { _("institution"), _("overdue") };
        int failed = table_add(&table, header);
        for (size_t i = 0; !failed && i < answer->n_counts; i++) {
            char count[16];
            snprintf(count, sizeof(count), "%u", (unsigned)answer->counts[i]->overdue);
            const char *row[] = { answer->counts[i]->institution_code, count };
            failed = table_add(&table, row);
        }
        printf("%s%s\n\n", answer->n_referrals > 0 ? "\n" : "",
               _("overdue referrals per institution"));
        table_print(&table, stdout, 0);
        table_free(&table);
    }
}

static int overdue_run(const struct settings *settings, const struct args *args)
{
    (void)args;
    Spona__V1__OverdueRequest overdue = SPONA__V1__OVERDUE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_OVERDUE;
    request.overdue = &overdue;
    return remote_read_print(settings, &request, overdue_json, overdue_text);
}

static const struct args_option referral_decline_options[] = {
    ARGS_VERSION_OPTION,
    ARGS_FRESH_OPTION,
    { "reason", REFERRAL_OPTION_REASON, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};


const struct command command_referral_decline = {
    .name = "decline",
    .summary = N_("decline a referral to your institution, with a reason"),
    .help = N_("Usage: spona referral decline REFERRAL_ID [--version N] --reason TEXT [OPTIONS]\n"
            "\n"
            "Declines a referral addressed to your institution (sent, or accepted and not\n"
            "completed). When it was your institution's last open referral on the case,\n"
            "it leaves the case team; it keeps read access to what it wrote.\n"
            "\n"
            "  --reason TEXT   why (required)\n"),
    .help_notes = {commands_help_referral_version, commands_help_idempotency},
    .options = referral_decline_options,
    .operands = "REFERRAL_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = referral_decline_run,
};

static const struct args_option referral_complete_options[] = {
    ARGS_VERSION_OPTION,
    ARGS_FRESH_OPTION,
    { "result", REFERRAL_OPTION_RESULT, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_referral_complete = {
    .name = "complete",
    .summary = N_("complete an accepted referral, with its result"),
    .help = N_("Usage: spona referral complete REFERRAL_ID [--version N] --result TEXT [OPTIONS]\n"
            "\n"
            "Completes an accepted referral to your institution with what came of it. When\n"
            "it was your institution's last open referral on the case, it leaves the case\n"
            "team; it keeps read access to what it wrote.\n"
            "\n"
            "  --result TEXT   what came of it (required)\n"),
    .help_notes = {commands_help_referral_version, commands_help_idempotency},
    .options = referral_complete_options,
    .operands = "REFERRAL_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = referral_complete_run,
};

static const struct args_option inbox_options[] = {
    { "open", REFERRAL_OPTION_OPEN, 0, NULL },
    { NULL, 0, 0, NULL },
};

const struct command command_inbox = {
    .name = "inbox",
    .summary = N_("referrals to your institution"),
    .help = N_("Usage: spona inbox [--open] [OPTIONS]\n"
            "\n"
            "Lists the referrals addressed to your institution, newest first: a table\n"
            "referral | case | person | measure | due | status | version | sent | reason /\n"
            "result. A referral past its due date and not completed is marked overdue.\n"
            "Answer one with spona referral accept, decline or complete.\n"
            "\n"
            "  --open   only those still open (sent or accepted)\n"),
    .options = inbox_options,
    .run = inbox_run,
};

const struct command command_overdue = {
    .name = "overdue",
    .summary = N_("overdue referrals (lead agency; coordinator: counts only)"),
    .help = N_("Usage: spona overdue [OPTIONS]\n"
            "\n"
            "Referrals past their due date and not completed. The lead agency gets them\n"
            "with their cases: referral | case | institution | measure | due | status |\n"
            "version | sent | reason / result. The coordinator gets only how many each\n"
            "institution has (no case, no person).\n"),
    .run = overdue_run,
};
