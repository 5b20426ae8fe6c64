/*
 * Accountability: `spona explain` (why each category is visible or hidden to
 * an institution on a case), `spona disclosures` (who saw a person's data,
 * when, under which clause), `spona audit verify` (is the hash-chained audit
 * trail intact) and `spona emergency review` (the coordinator's review of
 * break-glass accesses). The server decides and computes; this file lays out.
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

enum audit_option {
    AUDIT_OPTION_CASE = 1,
    AUDIT_OPTION_INSTITUTION,
    AUDIT_OPTION_PERSON,
    AUDIT_OPTION_UNREVIEWED,
    AUDIT_OPTION_MARK,
    AUDIT_OPTION_NOTE,
    AUDIT_OPTION_LETTER,
};

/* The decision on category for action among decisions, or NULL. */
static const Spona__V1__CategoryDecision *
explain_find(const Spona__V1__ExplainResponse *answer, const char *category, const char *action)
{
    for (size_t i = 0; i < answer->n_decisions; i++)
        if (strcmp(answer->decisions[i]->category, category) == 0 &&
            strcmp(answer->decisions[i]->action, action) == 0)
            return answer->decisions[i];
    return NULL;
}

/* Whether category was already in a row (decisions come per category and action). */
static int explain_seen(const Spona__V1__ExplainResponse *answer, size_t before,
                        const char *category)
{
    for (size_t i = 0; i < before; i++)
        if (strcmp(answer->decisions[i]->category, category) == 0)
            return 1;
    return 0;
}

/*
 * The table: category | read | write | reason. The reason is the read's; a
 * write with a reason of its own (another clause, a failed condition) gets a
 * second line, and a write that no clause grants only its "no".
 */
static void explain_json(struct json_writer *writer, const spona_request *request,
                         const spona_response *response)
{
    (void)request;
    const Spona__V1__ExplainResponse *answer = response->explain;
    json_string(writer, "case_id", answer->case_id);
    json_string(writer, "institution_code", answer->institution_code);
    json_string(writer, "role", answer->role);
    json_bool(writer, "on_team", answer->on_team);
    json_uint(writer, "protocol_version", answer->protocol_version);
    json_array_begin(writer, "decisions");
    for (size_t i = 0; i < answer->n_decisions; i++)
        view_decision_json(writer, answer->decisions[i]);
    json_array_end(writer);
}

static void explain_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__ExplainResponse *answer = response->explain;
    output_printf(stdout, _("case %s: %s (%s, %s), protocol version %u\n\n"), answer->case_id,
                  answer->institution_code,
                  answer->role[0] != '\0' ? i18n_code_label("role", answer->role)
                                          : _("no role in the protocol"),
                  answer->on_team ? _("on the case team") : _("not on the case team"),
                  (unsigned)answer->protocol_version);

    struct table table;
    table_init(&table, 4);
    const char *header[] = { _("category"), _("read"), _("write"), _("reason") };
    int failed = table_add(&table, header);
    size_t unwritable = 0;
    for (size_t i = 0; !failed && i < answer->n_decisions; i++) {
        const char *category = answer->decisions[i]->category;
        if (explain_seen(answer, i, category))
            continue;
        const Spona__V1__CategoryDecision *read = explain_find(answer, category, "read");
        const Spona__V1__CategoryDecision *write = explain_find(answer, category, "write");
        const Spona__V1__CategoryDecision *first = read != NULL ? read : write;
        char reason[1100], why[1000];
        view_decision_reason_text(first, why, sizeof(why));
        if (read == NULL)
            snprintf(reason, sizeof(reason), _("write: %s"), why);
        else
            snprintf(reason, sizeof(reason), "%s", why);
        const char *row[] = { i18n_code_label("category", category),
                              read == NULL ? "-" : read->allowed ? _("yes") : _("no"),
                              write == NULL ? "-" : write->allowed ? _("yes") : _("no"), reason };
        failed = table_add(&table, row);
        if (failed || read == NULL || write == NULL ||
            strcmp(view_decision_reason(read), view_decision_reason(write)) == 0)
            continue;
        if (!write->allowed && write->clause == 0) {
            unwritable++; /* no clause grants the write at all: the "no" says it */
            continue;
        }
        view_decision_reason_text(write, why, sizeof(why));
        snprintf(reason, sizeof(reason), _("write: %s"), why);
        const char *more[] = { "", "", "", reason };
        failed = table_add(&table, more);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
    if (unwritable > 0) {
        output_printf(stdout,
                      _("\n(write \"no\" without a reason of its own: no clause of the protocol "
                        "lets %s write that category)\n"),
                      answer->role[0] != '\0' ? i18n_code_label("role", answer->role)
                                              : _("this institution"));
    }
}

static int explain_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__ExplainRequest explain = SPONA__V1__EXPLAIN_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    explain.case_id = args_value(args, AUDIT_OPTION_CASE);
    if (args_has(args, AUDIT_OPTION_INSTITUTION))
        explain.institution_code = args_value(args, AUDIT_OPTION_INSTITUTION);
    request.body_case = SPONA__V1__REQUEST__BODY_EXPLAIN;
    request.explain = &explain;
    return remote_read_print(settings, &request, explain_json, explain_text);
}

/* "a, b, c" into out (truncated to out_size). */
static void disclosures_join(char *const *items, size_t count, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < out_size; i++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", i > 0 ? ", " : "",
                                 items[i]);
}

/* "clause 4 / v2", "clauses 1, 4 / v2", "- / v2" for one record. */
static void disclosures_clauses(const Spona__V1__Disclosure *disclosure, char *out,
                                size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    if (disclosure->n_clauses == 0)
        used += (size_t)snprintf(out, out_size, "-");
    else
        used += (size_t)snprintf(out, out_size, "%s ",
                                 i18n_n("clause", "clauses", disclosure->n_clauses));
    for (size_t i = 0; i < disclosure->n_clauses && used < out_size; i++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%u", i > 0 ? ", " : "",
                                 (unsigned)disclosure->clauses[i]);
    if (used < out_size && disclosure->protocol_version != 0)
        snprintf(out + used, out_size - used, " / v%u", (unsigned)disclosure->protocol_version);
}

/* Widest line of the categories column. */
#define DISCLOSURES_CATEGORIES_WIDTH 48

/*
 * Cuts list ("a, b, c") after the last ", " that keeps the line within width:
 * ends the line in place and returns the rest, or NULL when it all fits.
 */
static char *disclosures_wrap(char *list, size_t width)
{
    if (strlen(list) <= width)
        return NULL;
    char *cut = NULL;
    for (char *p = strstr(list, ", "); p != NULL && (size_t)(p - list) + 1 <= width;
         p = strstr(p + 2, ", "))
        cut = p;
    if (cut == NULL)
        cut = strstr(list, ", "); /* one category longer than the width */
    if (cut == NULL)
        return NULL;
    cut[1] = '\0'; /* keep the comma at the end of the line */
    return cut + 2;
}

static void disclosures_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__DisclosuresResponse *answer = response->disclosures;
    if (answer->n_disclosures == 0) {
        output_printf(stdout, _("no disclosure of the data of person %s is recorded\n"),
                      answer->person_id);
        return;
    }
    output_printf(stdout,
                  i18n_n("disclosures of the data of person %s (%zu record)\n\n",
                         "disclosures of the data of person %s (%zu records)\n\n",
                         answer->n_disclosures),
                  answer->person_id, answer->n_disclosures);
    struct table table;
    table_init(&table, 6);
    const char *header[] = { _("when"),   _("institution"), _("user"),
                             _("action"), _("categories"),  _("clause / protocol version") };
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < answer->n_disclosures; i++) {
        const Spona__V1__Disclosure *disclosure = answer->disclosures[i];
        char action[128], categories[512], clauses[128];
        snprintf(action, sizeof(action), "%s%s", disclosure->action,
                 disclosure->emergency ? " (EMERGENCY)" : "");
        disclosures_join(disclosure->categories, disclosure->n_categories, categories,
                         sizeof(categories));
        disclosures_clauses(disclosure, clauses, sizeof(clauses));
        /* long category lists continue on the next lines, so the table fits a page */
        char *rest = categories;
        int first = 1;
        do {
            char *line = rest;
            rest = disclosures_wrap(rest, DISCLOSURES_CATEGORIES_WIDTH);
            const char *row[] = { first ? disclosure->at : "",
                                  first ? disclosure->institution_code : "",
                                  first ? disclosure->username : "", first ? action : "",
                                  line[0] != '\0' ? line : "-", first ? clauses : "" };
            failed = table_add(&table, row);
            first = 0;
        } while (!failed && rest != NULL);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

static void disclosures_json(struct json_writer *writer, const spona_request *request,
                             const spona_response *response)
{
    (void)request;
    const Spona__V1__DisclosuresResponse *answer = response->disclosures;
    json_string(writer, "person_id", answer->person_id);
    json_array_begin(writer, "disclosures");
    for (size_t i = 0; i < answer->n_disclosures; i++) {
        const Spona__V1__Disclosure *disclosure = answer->disclosures[i];
        json_object_begin(writer, NULL);
        json_uint(writer, "seq", disclosure->seq);
        json_string(writer, "at", disclosure->at);
        json_string(writer, "institution_code", disclosure->institution_code);
        json_string(writer, "username", disclosure->username);
        json_string(writer, "action", disclosure->action);
        json_array_begin(writer, "categories");
        for (size_t j = 0; j < disclosure->n_categories; j++)
            json_string(writer, NULL, disclosure->categories[j]);
        json_array_end(writer);
        json_array_begin(writer, "clauses");
        for (size_t j = 0; j < disclosure->n_clauses; j++)
            json_uint(writer, NULL, disclosure->clauses[j]);
        json_array_end(writer);
        json_uint(writer, "protocol_version", disclosure->protocol_version);
        json_uint(writer, "request_id", disclosure->request_id);
        json_bool(writer, "emergency", disclosure->emergency);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static int disclosures_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__DisclosuresRequest disclosures = SPONA__V1__DISCLOSURES_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    disclosures.person_id = args_value(args, AUDIT_OPTION_PERSON);
    if (disclosures.person_id == NULL && args->operand_count > 0)
        disclosures.person_id = args->operands[0];
    if (disclosures.person_id == NULL)
        return output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("name the person: spona disclosures PERSON_ID"), OUTPUT_EXIT_USAGE);
    if (args_has(args, AUDIT_OPTION_LETTER))
        return documents_letter(settings, disclosures.person_id,
                                args_value(args, AUDIT_OPTION_LETTER));
    request.body_case = SPONA__V1__REQUEST__BODY_DISCLOSURES;
    request.disclosures = &disclosures;
    return remote_read_print(settings, &request, disclosures_json, disclosures_text);
}

static int audit_verify_run(const struct settings *settings, const struct args *args)
{
    spona_response *response = NULL;
    Spona__V1__AuditVerifyRequest verify = SPONA__V1__AUDIT_VERIFY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_AUDIT_VERIFY;
    request.audit_verify = &verify;
    int code = remote_session_call(settings, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        return code;

    const Spona__V1__AuditVerifyResponse *answer = response->audit_verify;
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_bool(&writer, "intact", answer->intact);
        json_uint(&writer, "records", answer->records);
        json_uint(&writer, "first_bad_seq", answer->first_bad_seq);
        json_string(&writer, "problem", answer->problem);
        json_string(&writer, "head_hash", answer->head_hash);
        json_object_end(&writer);
    } else if (answer->intact) {
        output_printf(stdout,
                      i18n_n("audit trail intact: %llu record, head %s\n",
                             "audit trail intact: %llu records, head %s\n", answer->records),
                      (unsigned long long)answer->records,
                      answer->head_hash[0] != '\0' ? answer->head_hash : _("(none)"));
    } else {
        output_printf(stdout, _("audit trail BROKEN at record %llu: %s\n"),
                      (unsigned long long)answer->first_bad_seq,
                      answer->problem[0] != '\0' ? answer->problem : _("(no detail)"));
    }
    code = answer->intact ? OUTPUT_EXIT_OK : OUTPUT_EXIT_AUDIT_BROKEN;
    envelope_free_response(response);
    return code;
}

/* "AT by USER", or "no" for an access not reviewed yet. */
static void review_state(const Spona__V1__EmergencyAccessEntry *entry, char *out,
                         size_t out_size)
{
    if (entry->reviewed_at[0] == '\0')
        snprintf(out, out_size, "%s", _("no"));
    else if (entry->reviewed_by[0] == '\0')
        snprintf(out, out_size, "%s", entry->reviewed_at);
    else
        snprintf(out, out_size, _("%s by %s"), entry->reviewed_at, entry->reviewed_by);
}

/*
 * The table: id | started | institution | user | case | expires | reviewed |
 * reason, a review note on a line of its own under the reason.
 */
/* The accesses, after "marked emergency access ID reviewed" when the request marked one. */
static void review_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__EmergencyReviewRequest *review = request->emergency_review;
    const Spona__V1__EmergencyReviewResponse *answer = response->emergency_review;
    int unreviewed_only = review->unreviewed_only;
    if (review->mark_id[0] != '\0') {
        output_printf(stdout, _("marked emergency access %s reviewed\n\n"), review->mark_id);
    }
    if (answer->n_entries == 0) {
        fputs(unreviewed_only ? _("no unreviewed emergency access is recorded\n")
                              : _("no emergency access is recorded\n"),
              stdout);
        return;
    }
    if (unreviewed_only)
        printf(i18n_n("%zu unreviewed emergency access, newest first\n\n",
                      "%zu unreviewed emergency accesses, newest first\n\n", answer->n_entries),
               answer->n_entries);
    else
        printf(i18n_n("%zu emergency access, newest first\n\n",
                      "%zu emergency accesses, newest first\n\n", answer->n_entries),
               answer->n_entries);
    struct table table;
    table_init(&table, 8);
    const char *header[] = { "id",     _("started"), _("institution"), _("user"),
                             _("case"), _("expires"), _("reviewed"),    _("reason") };
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < answer->n_entries; i++) {
        const Spona__V1__EmergencyAccessEntry *entry = answer->entries[i];
        char reviewed[200];
        review_state(entry, reviewed, sizeof(reviewed));
        const char *row[] = { entry->id,      entry->started_at, entry->institution_code,
                              entry->username, entry->case_id,   entry->expires_at,
                              reviewed,        entry->reason };
        failed = table_add(&table, row);
        if (failed || entry->review_note[0] == '\0')
            continue;
        char note[1100];
        snprintf(note, sizeof(note), _("review note: %s"), entry->review_note);
        const char *more[] = { "", "", "", "", "", "", "", note };
        failed = table_add(&table, more);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

static void review_json(struct json_writer *writer, const spona_request *request,
                        const spona_response *response)
{
    const char *marked = request->emergency_review->mark_id;
    const Spona__V1__EmergencyReviewResponse *answer = response->emergency_review;
    if (marked[0] != '\0')
        json_string(writer, "marked_id", marked);
    json_array_begin(writer, "entries");
    for (size_t i = 0; i < answer->n_entries; i++) {
        const Spona__V1__EmergencyAccessEntry *entry = answer->entries[i];
        json_object_begin(writer, NULL);
        json_string(writer, "id", entry->id);
        json_string(writer, "case_id", entry->case_id);
        json_string(writer, "institution_code", entry->institution_code);
        json_string(writer, "username", entry->username);
        json_string(writer, "reason", entry->reason);
        json_string(writer, "started_at", entry->started_at);
        json_string(writer, "expires_at", entry->expires_at);
        json_string(writer, "reviewed_at", entry->reviewed_at);
        json_string(writer, "reviewed_by", entry->reviewed_by);
        json_string(writer, "review_note", entry->review_note);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static int review_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__EmergencyReviewRequest review = SPONA__V1__EMERGENCY_REVIEW_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    if (args_has(args, AUDIT_OPTION_NOTE) && !args_has(args, AUDIT_OPTION_MARK))
        return output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("--note goes with --mark ID (see spona emergency review --help)"),
                            OUTPUT_EXIT_USAGE);
    if (args_has(args, AUDIT_OPTION_MARK))
        review.mark_id = args_value(args, AUDIT_OPTION_MARK);
    if (args_has(args, AUDIT_OPTION_NOTE))
        review.review_note = args_value(args, AUDIT_OPTION_NOTE);
    review.unreviewed_only = args_has(args, AUDIT_OPTION_UNREVIEWED);
    request.body_case = SPONA__V1__REQUEST__BODY_EMERGENCY_REVIEW;
    request.emergency_review = &review;
    /* only marking writes; a listing never replays an earlier answer */
    return args_has(args, AUDIT_OPTION_MARK)
               ? remote_write_print(settings, args, &request, review_json, review_text)
               : remote_read_print(settings, &request, review_json, review_text);
}

static const struct args_option explain_options[] = {
    { "case", AUDIT_OPTION_CASE, ARGS_VALUE | ARGS_REQUIRED, "CASE_ID" },
    { "institution", AUDIT_OPTION_INSTITUTION, ARGS_VALUE, "INSTITUTION_CODE" },
    { NULL, 0, 0, NULL },
};

const struct command command_explain = {
    .name = "explain",
    .summary = N_("why each category of a case is visible or hidden to an institution"),
    .help = N_("Usage: spona explain --case CASE_ID [--institution INSTITUTION_CODE] [OPTIONS]\n"
            "\n"
            "Per data category, whether the institution may read and write it on the case,\n"
            "and why: the clause and protocol version that allow it, or what is missing\n"
            "(a clause, consent, a place on the team). Prints a table\n"
            "category | read | write | reason.\n"
            "\n"
            "  --case CASE_ID          the case (required)\n"
            "  --institution CODE      another institution than yours (lead agency only)\n"),
    .options = explain_options,
    .run = explain_run,
};

static const struct args_option disclosures_options[] = {
    { "person", AUDIT_OPTION_PERSON, ARGS_VALUE, "PERSON_ID" },
    { "letter", AUDIT_OPTION_LETTER, ARGS_VALUE, "FILE" },
    { NULL, 0, 0, NULL },
};

const struct command command_disclosures = {
    .name = "disclosures",
    .summary = N_("who saw a person's data, when, under which clause (lead agency)"),
    .help = N_("Usage: spona disclosures PERSON_ID [--letter FILE] [OPTIONS]\n"
            "\n"
            "The report a beneficiary is entitled to ask for, from the audit trail: which\n"
            "institutions and users saw or changed which categories of the person's data,\n"
            "when, and under which clause and protocol version. Emergency (break-glass)\n"
            "access is marked. Prints a table\n"
            "when | institution | user | action | categories | clause / protocol version.\n"
            "\n"
            "  --person PERSON_ID   the person (or as the operand)\n"
            "  --letter FILE        write a letter to the person in your language (PDF):\n"
            "                       who saw their data, when and why\n"),
    .options = disclosures_options,
    .operands = "PERSON_ID",
    .min_operands = 0,
    .max_operands = 1,
    .run = disclosures_run,
};

static const struct command audit_verify = {
    .name = "verify",
    .summary = N_("check the hash chain of the audit trail"),
    .help = N_("Usage: spona audit verify [OPTIONS]\n"
            "\n"
            "Has the server recompute the hash chain of the municipality's audit trail.\n"
            "Prints `audit trail intact: N records, head HASH` (exit code 0) or\n"
            "`audit trail BROKEN at record N: PROBLEM` for the first modified, deleted or\n"
            "reordered record (exit code 6). For the coordinator and the lead agency.\n"),
    .run = audit_verify_run,
};

static const struct command *const audit_subcommands[] = {
    &audit_verify,
    NULL,
};

const struct command command_audit = {
    .name = "audit",
    .summary = N_("the audit trail"),
    .help = N_("Usage: spona audit SUBCOMMAND [OPTIONS]\n"
            "\n"
            "The audit trail: every read or write of personal data, append-only and\n"
            "hash-chained per municipality.\n"),
    .subcommands = audit_subcommands,
};

static const struct args_option review_options[] = {
    { "unreviewed", AUDIT_OPTION_UNREVIEWED, 0, NULL },
    { "mark", AUDIT_OPTION_MARK, ARGS_VALUE, "ID" },
    { "note", AUDIT_OPTION_NOTE, ARGS_VALUE, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

const struct command command_emergency_review = {
    .name = "review",
    .summary = N_("the break-glass accesses, for the coordinator's review"),
    .help = N_("Usage: spona emergency review [--unreviewed] [--mark ID [--note TEXT]] [OPTIONS]\n"
            "\n"
            "Lists every break-glass access of the municipality, newest first: when it\n"
            "started, which institution and user, the case id, when it expires, whether it\n"
            "was reviewed (when, by whom) and the written reason; no person data. Prints a\n"
            "table id | started | institution | user | case | expires | reviewed | reason.\n"
            "With --mark, first marks that access reviewed (the coordinator only; an access\n"
            "already reviewed is CONFLICT). For the coordinator and the lead agency.\n"
            "\n"
            "  --unreviewed   only the accesses not reviewed yet\n"
            "  --mark ID      mark the access with this id (first column) reviewed\n"
            "  --note TEXT    the review's note (with --mark; at most 1000 characters)\n"),
    .help_notes = {commands_help_idempotency},
    .options = review_options,
    .run = review_run,
};
