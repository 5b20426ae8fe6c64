/*
 * `spona consent grant | withdraw | list`: a person's consent to share data
 * categories with an institution, recorded by the case's lead from a signed
 * form. Withdrawal takes effect on the server for every later request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"

enum consent_option {
    CONSENT_OPTION_TO = 1,
    CONSENT_OPTION_CATEGORY,
    CONSENT_OPTION_GIVEN,
    CONSENT_OPTION_FORM,
    CONSENT_OPTION_EXPIRES,
};

/* Category codes from every --category (each may list several, comma-separated). */
struct consent_categories {
    char **codes; /* owned */
    size_t count;
};

static void consent_categories_free(struct consent_categories *categories)
{
    for (size_t i = 0; i < categories->count; i++)
        free(categories->codes[i]);
    free(categories->codes);
    memset(categories, 0, sizeof(*categories));
}

/* Adds one code unless it is already there. 0, or -1 when out of memory. */
static int consent_categories_add(struct consent_categories *categories, const char *code,
                                  size_t length)
{
    for (size_t i = 0; i < categories->count; i++)
        if (strlen(categories->codes[i]) == length &&
            strncmp(categories->codes[i], code, length) == 0)
            return 0;
    char **codes = realloc(categories->codes, (categories->count + 1) * sizeof(*codes));
    if (codes == NULL)
        return -1;
    categories->codes = codes;
    codes[categories->count] = strndup(code, length);
    if (codes[categories->count] == NULL)
        return -1;
    categories->count++;
    return 0;
}

/* Collects the --category values. Returns 0, or -1 with err set. */
static int consent_categories_collect(struct consent_categories *categories,
                                      const struct args *args, char *err, size_t err_size)
{
    memset(categories, 0, sizeof(*categories));
    for (size_t i = 0; i < args->item_count; i++) {
        if (args->items[i].id != CONSENT_OPTION_CATEGORY)
            continue;
        const char *value = args->items[i].value;
        while (*value != '\0') {
            size_t length = strcspn(value, ", ");
            if (length > 0 && consent_categories_add(categories, value, length) != 0) {
                snprintf(err, err_size, _("out of memory"));
                return -1;
            }
            value += length;
            value += strspn(value, ", ");
        }
    }
    return 0;
}

/* The categories' labels as "a, b, c" into out (for messages). */
static void consent_codes(char *const *codes, size_t count, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < out_size; i++) {
        int written = snprintf(out + used, out_size - used, "%s%s", i > 0 ? ", " : "",
                               i18n_code_label("category", codes[i]));
        used += written > 0 ? (size_t)written : 0;
    }
}

static void consent_grant_json(struct json_writer *writer, const spona_request *request,
                               const spona_response *response)
{
    (void)request;
    const Spona__V1__ConsentGrantResponse *answer = response->consent_grant;
    json_array_begin(writer, "consent_ids");
    for (size_t i = 0; i < answer->n_consent_ids; i++)
        json_string(writer, NULL, answer->consent_ids[i]);
    json_array_end(writer);
}

static void consent_grant_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__ConsentGrantRequest *grant = request->consent_grant;
    const Spona__V1__ConsentGrantResponse *answer = response->consent_grant;
    char codes[512], records[64];
    consent_codes(grant->categories, grant->n_categories, codes, sizeof(codes));
    snprintf(records, sizeof(records), i18n_n("%zu record", "%zu records", answer->n_consent_ids),
             answer->n_consent_ids);
    if (grant->expires_on[0] != '\0')
        output_printf(stdout, _("recorded consent of person %s to share with %s: %s (form %s, "
                                "given %s, expires %s; %s)\n"),
                      grant->person_id, grant->institution_code, codes, grant->form_reference,
                      grant->given_on, grant->expires_on, records);
    else
        output_printf(stdout, _("recorded consent of person %s to share with %s: %s (form %s, "
                                "given %s; %s)\n"),
                      grant->person_id, grant->institution_code, codes, grant->form_reference,
                      grant->given_on, records);
}

static int consent_grant_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    struct consent_categories categories;
    int code;
    Spona__V1__ConsentGrantRequest grant = SPONA__V1__CONSENT_GRANT_REQUEST__INIT;
    grant.person_id = args->operands[0];
    grant.institution_code = args_value(args, CONSENT_OPTION_TO);
    grant.given_on = args_value(args, CONSENT_OPTION_GIVEN);
    grant.form_reference = args_value(args, CONSENT_OPTION_FORM);
    if (args_has(args, CONSENT_OPTION_EXPIRES))
        grant.expires_on = args_value(args, CONSENT_OPTION_EXPIRES);
    if (consent_categories_collect(&categories, args, err, sizeof(err)) != 0 ||
        args_date("--given", grant.given_on, err, sizeof(err)) != 0 ||
        (args_has(args, CONSENT_OPTION_EXPIRES) &&
         args_date("--expires", grant.expires_on, err, sizeof(err)) != 0)) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    if (categories.count == 0) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("no category given: use --category CAT (see spona consent grant "
                            "--help)"),
                            OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    grant.n_categories = categories.count;
    grant.categories = categories.codes;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_CONSENT_GRANT;
    request.consent_grant = &grant;
    code = remote_write_print(settings, args, &request, consent_grant_json, consent_grant_text);

cleanup:
    consent_categories_free(&categories);
    return code;
}

static void consent_withdraw_json(struct json_writer *writer, const spona_request *request,
                                  const spona_response *response)
{
    (void)request;
    json_uint(writer, "withdrawn", response->consent_withdraw->withdrawn);
}

static void consent_withdraw_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__ConsentWithdrawRequest *withdraw = request->consent_withdraw;
    uint32_t withdrawn = response->consent_withdraw->withdrawn;
    char codes[512] = "";
    if (withdraw->n_categories > 0) {
        char labels[500];
        consent_codes(withdraw->categories, withdraw->n_categories, labels, sizeof(labels));
        snprintf(codes, sizeof(codes), " (%s)", labels);
    }
    output_printf(stdout,
                  i18n_n("withdrew %u consent record of person %s for %s%s",
                         "withdrew %u consent records of person %s for %s%s", withdrawn),
                  (unsigned)withdrawn, withdraw->person_id, withdraw->institution_code, codes);
    printf("%s\n", withdrawn > 0 ? _("; in effect from now on") : "");
}

static int consent_withdraw_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    struct consent_categories categories;
    int code;
    if (consent_categories_collect(&categories, args, err, sizeof(err)) != 0) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    Spona__V1__ConsentWithdrawRequest withdraw = SPONA__V1__CONSENT_WITHDRAW_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    withdraw.person_id = args->operands[0];
    withdraw.institution_code = args_value(args, CONSENT_OPTION_TO);
    withdraw.n_categories = categories.count;
    withdraw.categories = categories.codes;
    request.body_case = SPONA__V1__REQUEST__BODY_CONSENT_WITHDRAW;
    request.consent_withdraw = &withdraw;
    code = remote_write_print(settings, args, &request, consent_withdraw_json,
                              consent_withdraw_text);

cleanup:
    consent_categories_free(&categories);
    return code;
}

/* "in force", "withdrawn AT", "expired" or "not yet in force" for one record. */
static void consent_state(const Spona__V1__Consent *consent, char *out, size_t out_size)
{
    char today[16] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm) != NULL)
        strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    if (consent->withdrawn_at[0] != '\0')
        snprintf(out, out_size, _("withdrawn %s"), consent->withdrawn_at);
    else if (consent->in_force)
        snprintf(out, out_size, "%s", _("in force"));
    else if (consent->expires_on[0] != '\0' && strcmp(consent->expires_on, today) < 0)
        snprintf(out, out_size, "%s", _("expired"));
    else
        snprintf(out, out_size, "%s", _("not in force"));
}

static void consent_list_json(struct json_writer *writer, const spona_request *request,
                              const spona_response *response)
{
    const Spona__V1__ConsentListResponse *answer = response->consent_list;
    json_string(writer, "person_id", request->consent_list->person_id);
    json_array_begin(writer, "consents");
    for (size_t i = 0; i < answer->n_consents; i++) {
        const Spona__V1__Consent *consent = answer->consents[i];
        json_object_begin(writer, NULL);
        json_string(writer, "consent_id", consent->consent_id);
        json_string(writer, "institution_code", consent->institution_code);
        json_string(writer, "category", consent->category);
        json_string(writer, "given_on", consent->given_on);
        json_string(writer, "form_reference", consent->form_reference);
        json_string(writer, "expires_on", consent->expires_on);
        json_string(writer, "withdrawn_at", consent->withdrawn_at);
        json_bool(writer, "in_force", consent->in_force);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static void consent_list_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__ConsentListResponse *answer = response->consent_list;
    if (answer->n_consents == 0) {
        output_printf(stdout, _("no consent recorded for person %s\n"),
                      request->consent_list->person_id);
    } else {
        struct table table;
        table_init(&table, 6);
        const char *header[] = { _("institution"), _("category"), _("given"), _("form"),
                                 _("expires"),     _("state") };
        int failed = table_add(&table, header);
        for (size_t i = 0; !failed && i < answer->n_consents; i++) {
            const Spona__V1__Consent *consent = answer->consents[i];
            char state[96];
            consent_state(consent, state, sizeof(state));
            const char *row[] = { consent->institution_code,
                                  i18n_code_label("category", consent->category),
                                  consent->given_on, consent->form_reference,
                                  consent->expires_on[0] != '\0' ? consent->expires_on : "-",
                                  state };
            failed = table_add(&table, row);
        }
        table_print(&table, stdout, 0);
        table_free(&table);
    }
}

static int consent_list_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__ConsentListRequest list = SPONA__V1__CONSENT_LIST_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    list.person_id = args->operands[0];
    request.body_case = SPONA__V1__REQUEST__BODY_CONSENT_LIST;
    request.consent_list = &list;
    return remote_read_print(settings, &request, consent_list_json, consent_list_text);
}

static const struct args_option consent_grant_options[] = {
    { "to", CONSENT_OPTION_TO, ARGS_VALUE | ARGS_REQUIRED, "INSTITUTION_CODE" },
    { "category", CONSENT_OPTION_CATEGORY, ARGS_VALUE | ARGS_REPEATABLE | ARGS_REQUIRED,
      "CATEGORY" },
    { "given", CONSENT_OPTION_GIVEN, ARGS_VALUE | ARGS_REQUIRED, "YYYY-MM-DD" },
    { "form", CONSENT_OPTION_FORM, ARGS_VALUE | ARGS_REQUIRED, "REFERENCE" },
    { "expires", CONSENT_OPTION_EXPIRES, ARGS_VALUE, "YYYY-MM-DD" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command consent_grant = {
    .name = "grant",
    .summary = N_("record a person's consent to share categories (case lead)"),
    .help = N_("Usage: spona consent grant PERSON_ID --to INSTITUTION_CODE --category CAT ...\n"
            "                           --given YYYY-MM-DD --form REFERENCE\n"
            "                           [--expires YYYY-MM-DD] [OPTIONS]\n"
            "\n"
            "Records, from a signed form, that the person consents to share these data\n"
            "categories with the institution (one record per category). Clauses of the\n"
            "protocol that require consent then apply. For the case's lead institution.\n"
            "\n"
            "  --to CODE            the institution, e.g. prijedor.zzz (required)\n"
            "  --category CAT       a category (repeatable, or several comma-separated):\n"
            "                       identity, contact_address, benefits_household,\n"
            "                       education_work, health_disability, safety,\n"
            "                       plan_measures, case_notes, outcomes (required)\n"
            "  --given YYYY-MM-DD   the date on the signed form (required)\n"
            "  --form REFERENCE     the signed form's reference (required)\n"
            "  --expires YYYY-MM-DD the last day it holds\n"),
    .help_notes = {commands_help_idempotency},
    .options = consent_grant_options,
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = consent_grant_run,
};

static const struct args_option consent_withdraw_options[] = {
    { "to", CONSENT_OPTION_TO, ARGS_VALUE | ARGS_REQUIRED, "INSTITUTION_CODE" },
    { "category", CONSENT_OPTION_CATEGORY, ARGS_VALUE | ARGS_REPEATABLE, "CATEGORY" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command consent_withdraw = {
    .name = "withdraw",
    .summary = N_("withdraw a person's consent (takes effect at once)"),
    .help = N_("Usage: spona consent withdraw PERSON_ID --to INSTITUTION_CODE [--category CAT ...]\n"
            "                              [OPTIONS]\n"
            "\n"
            "Withdraws the person's consent to share with the institution: the categories\n"
            "given, or every category. Takes effect for every later request. For the\n"
            "case's lead institution.\n"
            "\n"
            "  --to CODE        the institution (required)\n"
            "  --category CAT   only this category (repeatable, or comma-separated)\n"),
    .help_notes = {commands_help_idempotency},
    .options = consent_withdraw_options,
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = consent_withdraw_run,
};

static const struct command consent_list = {
    .name = "list",
    .summary = N_("list a person's consent records"),
    .help = N_("Usage: spona consent list PERSON_ID [OPTIONS]\n"
            "\n"
            "Lists the person's consent records: institution, category, date given, form,\n"
            "expiry and whether it is in force (or when it was withdrawn). For the case team.\n"),
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = consent_list_run,
};

static const struct command *const consent_subcommands[] = {
    &consent_grant,
    &consent_withdraw,
    &consent_list,
    NULL,
};

const struct command command_consent = {
    .name = "consent",
    .summary = N_("a person's consent to share data with an institution"),
    .help = N_("Usage: spona consent SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "A person's consent, per institution and data category, recorded from a signed\n"
            "form by the case's lead; withdrawal takes effect at once.\n"),
    .subcommands = consent_subcommands,
};
