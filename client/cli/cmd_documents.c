/*
 * The printed documents' commands (cmd_documents.h): fetch on one session (whoami and
 * directory first, doc_session.c), draw (plan_pdf.c, protocol_pdf.c, letter_pdf.c,
 * report_pdf.c) and say "wrote FILE".
 */
#include "cmd_documents.h"

#include <stdio.h>
#include <string.h>

#include "doc_session.h"
#include "envelope.h"
#include "i18n.h"
#include "letter_pdf.h"
#include "output.h"
#include "plan_pdf.h"
#include "protocol_pdf.h"
#include "report_pdf.h"

/* After drawing: the error as a local one, or "wrote FILE". */
static int documents_done(const struct settings *settings, int drawn, const char *err,
                          const char *path)
{
    if (drawn != 0)
        return output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    output_printf(stdout, _("wrote %s\n"), path);
    return OUTPUT_EXIT_OK;
}

int documents_plan(const struct settings *settings, char *case_id, uint32_t version,
                   const char *path)
{
    struct doc_session session;
    int code = doc_session_open(settings, &session);
    if (code != OUTPUT_EXIT_OK)
        return code;
    Spona__V1__CaseGetRequest get_case = SPONA__V1__CASE_GET_REQUEST__INIT;
    Spona__V1__PlanGetRequest get_plan = SPONA__V1__PLAN_GET_REQUEST__INIT;
    spona_request case_request = SPONA__V1__REQUEST__INIT, plan_request = SPONA__V1__REQUEST__INIT;
    spona_response *case_response = NULL, *plan_response = NULL;
    get_case.case_id = case_id;
    case_request.body_case = SPONA__V1__REQUEST__BODY_CASE_GET;
    case_request.case_get = &get_case;
    code = doc_session_call(&session, settings, &case_request, &case_response);
    if (code == OUTPUT_EXIT_OK) {
        get_plan.case_id = case_response->case_get->case_id;
        get_plan.version = version;
        plan_request.body_case = SPONA__V1__REQUEST__BODY_PLAN_GET;
        plan_request.plan_get = &get_plan;
        code = doc_session_call(&session, settings, &plan_request, &plan_response);
    }
    if (code == OUTPUT_EXIT_OK) {
        char today[32], iso[32], err[512];
        doc_session_today(today, sizeof(today), iso, sizeof(iso));
        struct plan_pdf_input input = {.case_view = case_response->case_get,
                                       .plan = plan_response->plan_get,
                                       .labels = &session.labels,
                                       .today = today};
        code = documents_done(settings, plan_pdf_write(&input, path, err, sizeof(err)), err, path);
    }
    if (case_response != NULL)
        envelope_free_response(case_response);
    if (plan_response != NULL)
        envelope_free_response(plan_response);
    doc_session_close(&session);
    return code;
}

int documents_protocol(const struct settings *settings, const char *path)
{
    struct doc_session session;
    int code = doc_session_open(settings, &session);
    if (code != OUTPUT_EXIT_OK)
        return code;
    Spona__V1__ProtocolShowRequest show = SPONA__V1__PROTOCOL_SHOW_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    spona_response *response = NULL;
    request.body_case = SPONA__V1__REQUEST__BODY_PROTOCOL_SHOW;
    request.protocol_show = &show;
    code = doc_session_call(&session, settings, &request, &response);
    if (code == OUTPUT_EXIT_OK) {
        char err[512];
        int drawn = protocol_pdf_write(response->protocol_show, &session.labels, path, err,
                                       sizeof(err));
        code = documents_done(settings, drawn, err, path);
        envelope_free_response(response);
    }
    doc_session_close(&session);
    return code;
}

/*
 * The person's name as the caller may see it ("" otherwise) and her preferred
 * language (the field language, "" when none or hidden) into language (16 bytes);
 * no error when hidden.
 */
static void documents_person_name(struct doc_session *session, const struct settings *settings,
                                  char *person_id, char *out, size_t out_size, char *language)
{
    Spona__V1__PersonGetRequest get = SPONA__V1__PERSON_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    spona_response *response = NULL;
    const char *first = "", *last = "";
    out[0] = '\0';
    language[0] = '\0';
    get.person_id = person_id;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_GET;
    request.person_get = &get;
    if (doc_session_call(session, settings, &request, &response) != OUTPUT_EXIT_OK)
        return;
    const Spona__V1__PersonView *person = response->person_get;
    for (size_t i = 0; person != NULL && i < person->n_fields; i++) {
        if (strcmp(person->fields[i]->name, "first_name") == 0)
            first = person->fields[i]->value;
        else if (strcmp(person->fields[i]->name, "last_name") == 0)
            last = person->fields[i]->value;
        else if (strcmp(person->fields[i]->name, "language") == 0)
            snprintf(language, 16, "%s", person->fields[i]->value);
    }
    if (first[0] != '\0' || last[0] != '\0')
        snprintf(out, out_size, "%s %s", first, last);
    envelope_free_response(response);
}

int documents_letter(const struct settings *settings, char *person_id, const char *path)
{
    struct doc_session session;
    int code = doc_session_open(settings, &session);
    if (code != OUTPUT_EXIT_OK)
        return code;
    Spona__V1__DisclosuresRequest disclosures = SPONA__V1__DISCLOSURES_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    spona_response *response = NULL;
    disclosures.person_id = person_id;
    request.body_case = SPONA__V1__REQUEST__BODY_DISCLOSURES;
    request.disclosures = &disclosures;
    code = doc_session_call(&session, settings, &request, &response);
    if (code == OUTPUT_EXIT_OK) {
        char name[512], today[32], iso[32], err[512], language[16];
        documents_person_name(&session, settings, response->disclosures->person_id, name,
                              sizeof(name), language);
        /* in the person's language when she has one (docs/documents.md), else the CLI's */
        enum i18n_language cli_language = i18n_current(), letter_language;
        if (i18n_parse_language(language, &letter_language) == 0 &&
            letter_language != cli_language)
            i18n_select(letter_language, NULL);
        doc_session_today(today, sizeof(today), iso, sizeof(iso));
        struct letter_pdf_input input = {.disclosures = response->disclosures,
                                         .person_name = name,
                                         .labels = &session.labels,
                                         .today = today};
        int drawn = letter_pdf_write(&input, path, err, sizeof(err));
        if (i18n_current() != cli_language)
            i18n_select(cli_language, NULL); /* what the CLI says about it: its own language */
        code = documents_done(settings, drawn, err, path);
        envelope_free_response(response);
    }
    doc_session_close(&session);
    return code;
}

int documents_report(const struct settings *settings, const Spona__V1__ReportResponse *report,
                     const char *path)
{
    struct doc_session session;
    int code = doc_session_open(settings, &session);
    if (code != OUTPUT_EXIT_OK)
        return code;
    char today[32], iso[32], err[512];
    doc_session_today(today, sizeof(today), iso, sizeof(iso));
    int drawn = report_pdf_write_named(report, &session.labels, iso, path, err, sizeof(err));
    code = documents_done(settings, drawn, err, path);
    doc_session_close(&session);
    return code;
}
