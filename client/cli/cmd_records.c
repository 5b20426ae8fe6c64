/*
 * Records of a case's work: `spona conference` (a case conference: who took
 * part, decisions, next steps), `spona note` (any team member's note) and
 * `spona outcome` with its `follow-up` at 3, 6 and 12 months. Each is one
 * record on the server under its data category (docs/cases.md); this file
 * sends it and reports what was stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "view.h"

enum records_option {
    RECORDS_OPTION_ON = 1,
    RECORDS_OPTION_INSTITUTION,
    RECORDS_OPTION_USER,
    RECORDS_OPTION_DECISIONS,
    RECORDS_OPTION_NEXT_STEPS,
    RECORDS_OPTION_KIND,
    RECORDS_OPTION_EMPLOYER,
    RECORDS_OPTION_CONTRACT,
    RECORDS_OPTION_PATHWAY,
    RECORDS_OPTION_CERTIFICATE,
    RECORDS_OPTION_NOTE,
    RECORDS_OPTION_MONTHS,
    RECORDS_OPTION_EMPLOYED,
    RECORDS_OPTION_NOT_EMPLOYED,
};

/*
 * The values of the repeatable option id, in order, as a new array (caller
 * frees; the strings are argv's). *count is set; NULL only when out of memory.
 */
static char **records_values(const struct args *args, int id, size_t *count)
{
    char **values = calloc(args->item_count + 1, sizeof(*values));
    *count = 0;
    for (size_t i = 0; values != NULL && i < args->item_count; i++)
        if (args->items[i].id == id)
            values[(*count)++] = args->items[i].value;
    return values;
}

static void records_strings_json(struct json_writer *writer, const char *key,
                                 char *const *values, size_t count)
{
    json_array_begin(writer, key);
    for (size_t i = 0; i < count; i++)
        json_string(writer, NULL, values[i]);
    json_array_end(writer);
}

static void conference_json(struct json_writer *writer, const spona_request *request,
                            const spona_response *response)
{
    (void)request;
    const Spona__V1__ConferenceView *view = response->conference_record;
    json_string(writer, "conference_id", view->conference_id);
    json_string(writer, "case_id", view->case_id);
    json_string(writer, "held_on", view->held_on);
    records_strings_json(writer, "institution_codes", view->institution_codes,
                         view->n_institution_codes);
    records_strings_json(writer, "usernames", view->usernames, view->n_usernames);
    json_string(writer, "decisions", view->decisions);
    json_string(writer, "next_steps", view->next_steps);
    json_uint(writer, "version", view->version);
}

static void conference_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__ConferenceView *view = response->conference_record;
    char institutions[64], users[64];
    snprintf(institutions, sizeof(institutions),
             i18n_n("%zu institution", "%zu institutions", view->n_institution_codes),
             view->n_institution_codes);
    snprintf(users, sizeof(users), i18n_n("%zu user", "%zu users", view->n_usernames),
             view->n_usernames);
    output_printf(stdout, _("recorded the case conference of %s on case %s (%s, %s): "
                            "conference %s\n"),
                  view->held_on, view->case_id, institutions, users, view->conference_id);
}

static int conference_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    size_t institution_count = 0, user_count = 0;
    int code;
    char **institutions = records_values(args, RECORDS_OPTION_INSTITUTION, &institution_count);
    char **users = records_values(args, RECORDS_OPTION_USER, &user_count);
    Spona__V1__ConferenceRecordRequest record = SPONA__V1__CONFERENCE_RECORD_REQUEST__INIT;
    record.case_id = args->operands[0];
    record.held_on = args_value(args, RECORDS_OPTION_ON);
    record.decisions = args_value(args, RECORDS_OPTION_DECISIONS);
    if (args_has(args, RECORDS_OPTION_NEXT_STEPS))
        record.next_steps = args_value(args, RECORDS_OPTION_NEXT_STEPS);
    if (institutions == NULL || users == NULL) {
        code = output_error(settings->json, OUTPUT_STATUS_LOCAL, _("out of memory"),
                            OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    if (args_date("--on", record.held_on, err, sizeof(err)) != 0) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    record.n_institution_codes = institution_count;
    record.institution_codes = institutions;
    record.n_usernames = user_count;
    record.usernames = users;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_CONFERENCE_RECORD;
    request.conference_record = &record;
    code = remote_write_print(settings, args, &request, conference_json, conference_text);

cleanup:
    free(institutions);
    free(users);
    return code;
}

static void note_json(struct json_writer *writer, const spona_request *request,
                      const spona_response *response)
{
    (void)request;
    const Spona__V1__NoteView *view = response->note_add;
    json_string(writer, "note_id", view->note_id);
    json_string(writer, "case_id", view->case_id);
    json_string(writer, "author", view->author);
    json_string(writer, "institution_code", view->institution_code);
    json_string(writer, "text", view->text);
    json_string(writer, "created_at", view->created_at);
}

static void note_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    output_printf(stdout, _("added note %s to case %s\n"), response->note_add->note_id,
                  response->note_add->case_id);
}

static int note_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__NoteAddRequest note = SPONA__V1__NOTE_ADD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    note.case_id = args->operands[0];
    note.text = args->operands[1];
    if (note.text[0] == '\0')
        return output_error(settings->json, OUTPUT_STATUS_USAGE, _("the note's TEXT is empty"),
                            OUTPUT_EXIT_USAGE);
    request.body_case = SPONA__V1__REQUEST__BODY_NOTE_ADD;
    request.note_add = &note;
    return remote_write_print(settings, args, &request, note_json, note_text);
}

/* An outcome's JSON members: outcome record and follow-up answer with it. */
static void outcome_json(struct json_writer *writer, const spona_request *request,
                         const spona_response *response)
{
    (void)request;
    const Spona__V1__OutcomeView *view =
        response->body_case == SPONA__V1__RESPONSE__BODY_FOLLOW_UP_RECORD
            ? response->follow_up_record
            : response->outcome_record;
    json_string(writer, "outcome_id", view->outcome_id);
    json_string(writer, "case_id", view->case_id);
    json_string(writer, "kind", view->kind);
    json_string(writer, "occurred_on", view->occurred_on);
    json_string(writer, "employer", view->employer);
    json_string(writer, "contract_type", view->contract_type);
    json_string(writer, "pathway", view->pathway);
    json_string(writer, "certificate", view->certificate);
    json_string(writer, "note", view->note);
    json_array_begin(writer, "follow_ups");
    for (size_t i = 0; i < view->n_follow_ups; i++) {
        json_object_begin(writer, NULL);
        json_uint(writer, "months", view->follow_ups[i]->months);
        json_string(writer, "checked_on", view->follow_ups[i]->checked_on);
        json_bool(writer, "still_employed", view->follow_ups[i]->still_employed);
        json_string(writer, "note", view->follow_ups[i]->note);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_string(writer, "recorded_by_institution", view->recorded_by_institution);
    json_uint(writer, "version", view->version);
    view_stage_suggestion_json(writer, view->stage_suggestion);
}

static void outcome_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__OutcomeView *view = response->outcome_record;
    output_printf(stdout, _("recorded outcome %s of case %s: %s on %s\n"), view->outcome_id,
                  view->case_id, i18n_code_label("outcome_kind", view->kind), view->occurred_on);
    view_stage_suggestion(stdout, view->stage_suggestion, view->case_id);
}

static void follow_up_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__FollowUp *follow_up = request->follow_up_record->follow_up;
    const Spona__V1__OutcomeView *view = response->follow_up_record;
    char so_far[64];
    snprintf(so_far, sizeof(so_far),
             i18n_n("%zu follow-up so far", "%zu follow-ups so far", view->n_follow_ups),
             view->n_follow_ups);
    output_printf(stdout, _("recorded the %u-month follow-up of outcome %s: %s (%s)\n"),
                  (unsigned)follow_up->months, view->outcome_id,
                  follow_up->still_employed ? _("still employed") : _("not employed"), so_far);
}

static int outcome_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    Spona__V1__OutcomeRecordRequest record = SPONA__V1__OUTCOME_RECORD_REQUEST__INIT;
    record.case_id = args->operands[0];
    record.kind = args_value(args, RECORDS_OPTION_KIND);
    record.occurred_on = args_value(args, RECORDS_OPTION_ON);
    if (args_has(args, RECORDS_OPTION_EMPLOYER))
        record.employer = args_value(args, RECORDS_OPTION_EMPLOYER);
    if (args_has(args, RECORDS_OPTION_CONTRACT))
        record.contract_type = args_value(args, RECORDS_OPTION_CONTRACT);
    if (args_has(args, RECORDS_OPTION_PATHWAY))
        record.pathway = args_value(args, RECORDS_OPTION_PATHWAY);
    if (args_has(args, RECORDS_OPTION_CERTIFICATE))
        record.certificate = args_value(args, RECORDS_OPTION_CERTIFICATE);
    if (args_has(args, RECORDS_OPTION_NOTE))
        record.note = args_value(args, RECORDS_OPTION_NOTE);
    if (args_date("--on", record.occurred_on, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_OUTCOME_RECORD;
    request.outcome_record = &record;
    return remote_write_print(settings, args, &request, outcome_json, outcome_text);
}

static int follow_up_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    uint64_t months = 0;
    int employed = args_has(args, RECORDS_OPTION_EMPLOYED);
    if (employed == args_has(args, RECORDS_OPTION_NOT_EMPLOYED))
        return output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("give one of --employed and --not-employed"), OUTPUT_EXIT_USAGE);
    const char *months_text = args_value(args, RECORDS_OPTION_MONTHS);
    if (args_positive("--months", months_text, 12, &months, err, sizeof(err)) != 0 ||
        (months != 3 && months != 6 && months != 12)) {
        snprintf(err, sizeof(err), _("--months '%s': expected 3, 6 or 12"), months_text);
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    }
    Spona__V1__FollowUp follow_up = SPONA__V1__FOLLOW_UP__INIT;
    follow_up.months = (uint32_t)months;
    follow_up.checked_on = args_value(args, RECORDS_OPTION_ON);
    follow_up.still_employed = employed;
    if (args_has(args, RECORDS_OPTION_NOTE))
        follow_up.note = args_value(args, RECORDS_OPTION_NOTE);
    if (args_date("--on", follow_up.checked_on, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    Spona__V1__FollowUpRecordRequest record = SPONA__V1__FOLLOW_UP_RECORD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    record.outcome_id = args->operands[0];
    record.follow_up = &follow_up;
    request.body_case = SPONA__V1__REQUEST__BODY_FOLLOW_UP_RECORD;
    request.follow_up_record = &record;
    return remote_write_print(settings, args, &request, outcome_json, follow_up_text);
}

static const struct args_option conference_options[] = {
    { "on", RECORDS_OPTION_ON, ARGS_VALUE | ARGS_REQUIRED, "YYYY-MM-DD" },
    { "institution", RECORDS_OPTION_INSTITUTION, ARGS_VALUE | ARGS_REPEATABLE | ARGS_REQUIRED,
      "INSTITUTION_CODE" },
    { "user", RECORDS_OPTION_USER, ARGS_VALUE | ARGS_REPEATABLE, "NAME" },
    { "decisions", RECORDS_OPTION_DECISIONS, ARGS_VALUE | ARGS_REQUIRED, "TEXT" },
    { "next-steps", RECORDS_OPTION_NEXT_STEPS, ARGS_VALUE, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_conference = {
    .name = "conference",
    .summary = N_("record a case conference (case lead)"),
    .help = N_("Usage: spona conference CASE_ID --on YYYY-MM-DD --institution CODE ...\n"
            "                        [--user NAME ...] --decisions TEXT [--next-steps TEXT]\n"
            "                        [OPTIONS]\n"
            "\n"
            "Records a case conference: when, which institutions and users took part, what\n"
            "was decided and the next steps (case_notes data). For the case's lead\n"
            "institution. Prints the conference id.\n"
            "\n"
            "  --on YYYY-MM-DD      the day it was held (required)\n"
            "  --institution CODE   a participating institution (repeatable, at least one)\n"
            "  --user NAME          a participating user (repeatable)\n"
            "  --decisions TEXT     what was decided (required)\n"
            "  --next-steps TEXT    the next steps\n"),
    .help_notes = {commands_help_idempotency},
    .options = conference_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = conference_run,
};

static const struct args_option note_options[] = {
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_note = {
    .name = "note",
    .summary = N_("add a note to a case (case team)"),
    .help = N_("Usage: spona note CASE_ID TEXT [OPTIONS]\n"
            "\n"
            "Adds a note to the case, signed with your name and institution (case_notes\n"
            "data: your institution must be allowed to write it). Notes are never changed.\n"
            "Quote TEXT. Prints the note id.\n"
            "\n"),
    .help_notes = {commands_help_idempotency},
    .options = note_options,
    .operands = "CASE_ID and TEXT",
    .min_operands = 2,
    .max_operands = 2,
    .run = note_run,
};

static const struct args_option follow_up_options[] = {
    { "months", RECORDS_OPTION_MONTHS, ARGS_VALUE | ARGS_REQUIRED, "3|6|12" },
    { "on", RECORDS_OPTION_ON, ARGS_VALUE | ARGS_REQUIRED, "YYYY-MM-DD" },
    { "employed", RECORDS_OPTION_EMPLOYED, 0, NULL },
    { "not-employed", RECORDS_OPTION_NOT_EMPLOYED, 0, NULL },
    { "note", RECORDS_OPTION_NOTE, ARGS_VALUE, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command outcome_follow_up = {
    .name = "follow-up",
    .summary = N_("record a follow-up of an outcome at 3, 6 or 12 months"),
    .help = N_("Usage: spona outcome follow-up OUTCOME_ID --months 3|6|12 --on YYYY-MM-DD\n"
            "                               (--employed | --not-employed) [--note TEXT]\n"
            "                               [OPTIONS]\n"
            "\n"
            "Records whether the person is still employed 3, 6 or 12 months after the\n"
            "outcome (outcomes data). Prints the outcome's follow-ups so far.\n"
            "\n"
            "  --months N        3, 6 or 12 (required)\n"
            "  --on YYYY-MM-DD   the day of the check (required; dd.mm.yyyy too)\n"
            "  --employed        the person is still employed\n"
            "  --not-employed    the person is not (one of the two is required)\n"
            "  --note TEXT       a note\n"),
    .help_notes = {commands_help_idempotency},
    .options = follow_up_options,
    .operands = "OUTCOME_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = follow_up_run,
};

static const struct command *const outcome_subcommands[] = {
    &outcome_follow_up,
    NULL,
};

static const struct args_option outcome_options[] = {
    { "kind", RECORDS_OPTION_KIND, ARGS_VALUE | ARGS_REQUIRED, "KIND" },
    { "on", RECORDS_OPTION_ON, ARGS_VALUE | ARGS_REQUIRED, "YYYY-MM-DD" },
    { "employer", RECORDS_OPTION_EMPLOYER, ARGS_VALUE, "NAME" },
    { "contract", RECORDS_OPTION_CONTRACT, ARGS_VALUE, "TYPE" },
    { "pathway", RECORDS_OPTION_PATHWAY, ARGS_VALUE, "PATHWAY" },
    { "certificate", RECORDS_OPTION_CERTIFICATE, ARGS_VALUE, "TEXT" },
    { "note", RECORDS_OPTION_NOTE, ARGS_VALUE, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_outcome = {
    .name = "outcome",
    .summary = N_("record an outcome: a job, training, ... (lead or partner)"),
    .help = N_("Usage: spona outcome CASE_ID --kind KIND --on YYYY-MM-DD [--employer NAME]\n"
            "                     [--contract TYPE] [--pathway PATHWAY] [--certificate TEXT]\n"
            "                     [--note TEXT] [OPTIONS]\n"
            "       spona outcome follow-up OUTCOME_ID --months 3|6|12 --on YYYY-MM-DD\n"
            "                     (--employed | --not-employed) [--note TEXT] [OPTIONS]\n"
            "\n"
            "Records what came of the case (outcomes data), by the case's lead or the\n"
            "partner that achieved it. Prints the outcome id, for the follow-ups.\n"
            "\n"
            "  --kind KIND          employed, in_training, training_completed,\n"
            "                       self_employed, left_benefits or dropped_out (required)\n"
            "  --on YYYY-MM-DD      when (required; dd.mm.yyyy too)\n"
            "  --employer NAME      employed: the employer\n"
            "  --contract TYPE      employed: permanent, fixed_term, seasonal, subsidised\n"
            "                       or other\n"
            "  --pathway PATHWAY    employed, self_employed: integrated_case_management,\n"
            "                       social_entrepreneurship or other\n"
            "  --certificate TEXT   training_completed: the certificate\n"
            "  --note TEXT          a note\n"),
    .help_notes = {commands_help_idempotency},
    .options = outcome_options,
    .operands = "CASE_ID",
    .min_operands = 1,
    .max_operands = 1,
    .subcommands = outcome_subcommands,
    .run = outcome_run,
};
