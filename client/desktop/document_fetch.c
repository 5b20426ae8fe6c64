/*
 * Fetching and drawing a printed document (see document_fetch.h): a small state machine
 * of requests on the main loop, each answer kept as a copy (desktop_call.c frees its
 * answer after the callback).
 */
#include "document_fetch.h"

#include <string.h>
#include <time.h>

#include "desktop_call.h"
#include "i18n.h"
#include "letter_pdf.h"
#include "plan_pdf.h"
#include "report_pdf.h"

enum fetch_slot { SLOT_WHOAMI, SLOT_DIRECTORY, SLOT_FIRST, SLOT_SECOND, SLOT_COUNT };

struct document_job {
    struct desktop_context *context;
    enum document_kind kind;
    char *id;
    Spona__V1__ReportResponse *report; /* a copy, DOCUMENT_REPORT */
    spona_response *answers[SLOT_COUNT]; /* copies */
    int step;
    document_fetch_done *done;
    gpointer data;
};

static void job_free(struct document_job *job)
{
    for (int i = 0; i < SLOT_COUNT; i++)
        if (job->answers[i] != NULL)
            spona__v1__response__free_unpacked(job->answers[i], NULL);
    if (job->report != NULL)
        spona__v1__report_response__free_unpacked(job->report, NULL);
    g_free(job->id);
    g_free(job);
}

static spona_response *copy_response(const spona_response *response)
{
    size_t length = spona__v1__response__get_packed_size(response);
    uint8_t *bytes = g_malloc(length > 0 ? length : 1);
    spona__v1__response__pack(response, bytes);
    spona_response *copy = spona__v1__response__unpack(NULL, length, bytes);
    g_free(bytes);
    return copy;
}

void document_fetch_today(char *local, size_t local_size, char *iso, size_t iso_size)
{
    time_t now = time(NULL);
    struct tm day;
    localtime_r(&now, &day);
    strftime(iso, iso_size, "%Y-%m-%d", &day);
    if (i18n_current() == I18N_EN)
        strftime(local, local_size, "%Y-%m-%d", &day);
    else
        strftime(local, local_size, "%d.%m.%Y.", &day);
}

/* The person's name from a person_get answer ("" when hidden or missing). */
static void job_person_name(const spona_response *answer, char *out, size_t out_size)
{
    const char *first = "", *last = "";
    const Spona__V1__PersonView *person = answer != NULL ? answer->person_get : NULL;
    for (size_t i = 0; person != NULL && i < person->n_fields; i++) {
        if (strcmp(person->fields[i]->name, "first_name") == 0)
            first = person->fields[i]->value;
        else if (strcmp(person->fields[i]->name, "last_name") == 0)
            last = person->fields[i]->value;
    }
    out[0] = '\0';
    if (first[0] != '\0' || last[0] != '\0')
        g_snprintf(out, out_size, "%s %s", first, last);
}

/* Draws the document from the answers: 0 with pages, or -1 with err. */
static int job_draw(struct document_job *job, struct doc_pages *pages, char *err,
                    size_t err_size)
{
    struct doc_labels labels;
    memset(&labels, 0, sizeof(labels));
    labels.whoami = job->answers[SLOT_WHOAMI]->whoami;
    labels.directory = job->answers[SLOT_DIRECTORY]->directory;
    char today[32], iso[32];
    document_fetch_today(today, sizeof(today), iso, sizeof(iso));
    if (job->kind == DOCUMENT_REPORT)
        return report_pdf_record(job->report, &labels, iso, pages, err, err_size);
    if (job->kind == DOCUMENT_PLAN) {
        struct plan_pdf_input input = { .case_view = job->answers[SLOT_FIRST]->case_get,
                                        .plan = job->answers[SLOT_SECOND]->plan_get,
                                        .labels = &labels,
                                        .today = today };
        return plan_pdf_record(&input, pages, err, err_size);
    }
    char name[512];
    job_person_name(job->answers[SLOT_SECOND], name, sizeof(name));
    struct letter_pdf_input input = { .disclosures = job->answers[SLOT_FIRST]->disclosures,
                                      .person_name = name,
                                      .labels = &labels,
                                      .today = today };
    return letter_pdf_record(&input, pages, err, err_size);
}

static void job_finish(struct document_job *job)
{
    struct doc_pages *pages = g_new0(struct doc_pages, 1);
    char err[512] = "";
    if (job_draw(job, pages, err, sizeof(err)) != 0 || pages->count == 0) {
        doc_pages_clear(pages);
        g_free(pages);
        job->done(NULL, err[0] != '\0' ? err : _("The document has no pages."), 0, job->data);
    } else {
        job->done(pages, NULL, 0, job->data);
    }
    job_free(job);
}

static void job_next(struct document_job *job);

/* Whether the answer of slot may be missing (the letter's name: hidden is no error). */
static int job_optional(const struct document_job *job, int slot)
{
    return job->kind == DOCUMENT_LETTER && slot == SLOT_SECOND;
}

static void job_answered(const spona_response *response, const char *error, int cancelled,
                         gpointer data)
{
    struct document_job *job = data;
    int slot = job->step;
    int ok = response != NULL && response->status == SPONA__V1__STATUS__OK;
    if (cancelled || (!ok && !job_optional(job, slot))) {
        job->done(NULL, desktop_call_error_text(response, error), cancelled, job->data);
        job_free(job);
        return;
    }
    if (ok)
        job->answers[slot] = copy_response(response);
    job->step++;
    job_next(job);
}

/* Whether the answers the drawing reads are all there. */
static int job_complete(const struct document_job *job)
{
    spona_response *const *a = job->answers;
    if (a[SLOT_WHOAMI] == NULL || a[SLOT_DIRECTORY] == NULL)
        return 0;
    if (job->kind == DOCUMENT_PLAN)
        return a[SLOT_FIRST] != NULL && a[SLOT_FIRST]->case_get != NULL &&
               a[SLOT_SECOND] != NULL && a[SLOT_SECOND]->plan_get != NULL;
    if (job->kind == DOCUMENT_LETTER)
        return a[SLOT_FIRST] != NULL && a[SLOT_FIRST]->disclosures != NULL;
    return job->report != NULL;
}

/* The request of the step; 0 when there is none left. */
static int job_request(struct document_job *job, spona_request *request, void *storage)
{
    spona_response *first = job->answers[SLOT_FIRST];
    switch (job->step) {
    case SLOT_WHOAMI:
        request->body_case = SPONA__V1__REQUEST__BODY_WHOAMI;
        request->whoami = storage;
        spona__v1__who_am_irequest__init(storage);
        return 1;
    case SLOT_DIRECTORY:
        request->body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
        request->directory = storage;
        spona__v1__directory_request__init(storage);
        return 1;
    case SLOT_FIRST:
        if (job->kind == DOCUMENT_REPORT)
            return 0;
        if (job->kind == DOCUMENT_PLAN) {
            Spona__V1__CaseGetRequest *get = storage;
            spona__v1__case_get_request__init(get);
            get->case_id = job->id;
            request->body_case = SPONA__V1__REQUEST__BODY_CASE_GET;
            request->case_get = get;
        } else {
            Spona__V1__DisclosuresRequest *get = storage;
            spona__v1__disclosures_request__init(get);
            get->person_id = job->id;
            request->body_case = SPONA__V1__REQUEST__BODY_DISCLOSURES;
            request->disclosures = get;
        }
        return 1;
    case SLOT_SECOND:
        if (job->kind == DOCUMENT_PLAN && first->case_get != NULL) {
            Spona__V1__PlanGetRequest *get = storage;
            spona__v1__plan_get_request__init(get);
            get->case_id = first->case_get->case_id;
            request->body_case = SPONA__V1__REQUEST__BODY_PLAN_GET;
            request->plan_get = get;
            return 1;
        }
        if (job->kind == DOCUMENT_LETTER && first->disclosures != NULL) {
            Spona__V1__PersonGetRequest *get = storage;
            spona__v1__person_get_request__init(get);
            get->person_id = first->disclosures->person_id;
            request->body_case = SPONA__V1__REQUEST__BODY_PERSON_GET;
            request->person_get = get;
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

static void job_next(struct document_job *job)
{
    static const char *const what[SLOT_COUNT] = {
        N_("Preparing the document"), N_("Preparing the document"),
        N_("Loading the document"), N_("Loading the document") };
    union {
        Spona__V1__WhoAmIRequest whoami;
        Spona__V1__DirectoryRequest directory;
        Spona__V1__CaseGetRequest case_get;
        Spona__V1__PlanGetRequest plan_get;
        Spona__V1__DisclosuresRequest disclosures;
        Spona__V1__PersonGetRequest person_get;
    } storage;
    spona_request request = SPONA__V1__REQUEST__INIT;
    if (job->step < SLOT_COUNT && job_request(job, &request, &storage)) {
        desktop_call_start(job->context, _(what[job->step]), &request, DESKTOP_CALL_READ, NULL,
                           job_answered, job);
        return;
    }
    if (!job_complete(job)) {
        job->done(NULL, _("The server's answer is incomplete."), 0, job->data);
        job_free(job);
        return;
    }
    job_finish(job);
}

void document_fetch(struct desktop_context *context, enum document_kind kind, const char *id,
                    const Spona__V1__ReportResponse *report, document_fetch_done *done,
                    gpointer data)
{
    struct document_job *job = g_new0(struct document_job, 1);
    job->context = context;
    job->kind = kind;
    job->id = g_strdup(id != NULL ? id : "");
    job->done = done;
    job->data = data;
    if (report != NULL) {
        size_t length = spona__v1__report_response__get_packed_size(report);
        uint8_t *bytes = g_malloc(length > 0 ? length : 1);
        spona__v1__report_response__pack(report, bytes);
        job->report = spona__v1__report_response__unpack(NULL, length, bytes);
        g_free(bytes);
    }
    job_next(job);
}
