/*
 * Requests off the main thread (see desktop_call.h). The job owns the packed request;
 * the worker unpacks its own copy, so nothing is shared with the main thread but the
 * session, which has its own lock.
 */
#include "desktop_call.h"

#include <string.h>

#include "busy_bar.h"
#include "desktop_session.h"
#include "i18n.h"

/* The worker's part: the task's data, alive as long as the task (which the worker holds
   even after a cancel has already answered the main loop). */
struct desktop_work {
    struct desktop_session *session;
    uint8_t *packed; /* NULL: resume the stored session */
    size_t packed_length;
};

/* The main loop's part: the callback's data. */
struct desktop_job {
    struct desktop_context *context;
    struct desktop_work *work; /* borrowed from the task until it is handed over */
    int body_case;
    int resume;
    desktop_call_done *done;
    gpointer user_data;
    GCancellable *cancellable;
};

/* What the worker hands back. */
struct desktop_result {
    spona_response *response;
    char error[512];
};

static void desktop_work_free(gpointer data)
{
    struct desktop_work *work = data;
    g_free(work->packed);
    g_free(work);
}

static void desktop_job_free(struct desktop_job *job)
{
    g_object_unref(job->cancellable);
    g_free(job);
}

static void desktop_result_free(gpointer data)
{
    struct desktop_result *result = data;
    if (result->response != NULL)
        envelope_free_response(result->response);
    g_free(result);
}

/* In a worker thread: one exchange on the session. */
static void desktop_call_thread(GTask *task, gpointer source, gpointer data,
                                GCancellable *cancellable)
{
    struct desktop_work *work = data;
    struct desktop_result *result = g_new0(struct desktop_result, 1);
    if (work->packed == NULL) {
        result->response = desktop_session_resume_stored(work->session, result->error,
                                                         sizeof(result->error));
    } else {
        spona_request *request = spona__v1__request__unpack(NULL, work->packed_length,
                                                            work->packed);
        if (request == NULL) {
            g_strlcpy(result->error, "could not prepare the request", sizeof(result->error));
        } else {
            result->response = desktop_session_call(work->session, request,
                                                    result->error, sizeof(result->error));
            spona__v1__request__free_unpacked(request, NULL);
        }
    }
    g_task_return_pointer(task, result, desktop_result_free);
}

/* On the main loop: hand the outcome to the page. */
static void desktop_call_finished(GObject *source, GAsyncResult *async, gpointer data)
{
    struct desktop_job *job = data;
    GError *error = NULL;
    struct desktop_result *result = g_task_propagate_pointer(G_TASK(async), &error);
    busy_bar_end(job->context->busy, job->cancellable);
    if (result == NULL) {
        int cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        job->done(NULL, cancelled ? _("cancelled") : error->message, cancelled, job->user_data);
        g_error_free(error);
        desktop_job_free(job);
        return;
    }
    const spona_response *response = result->response;
    job->done(response, result->error, 0, job->user_data);
    if (response != NULL && response->status == SPONA__V1__STATUS__UNAUTHENTICATED &&
        job->body_case != SPONA__V1__REQUEST__BODY_LOGIN && !job->resume &&
        job->context->session_ended != NULL)
        job->context->session_ended(job->context, response->message);
    desktop_result_free(result);
    desktop_job_free(job);
}

/* Runs job in the thread pool. */
static void desktop_job_run(struct desktop_job *job, const char *what)
{
    busy_bar_begin(job->context->busy, what, job->cancellable);
    GTask *task = g_task_new(NULL, job->cancellable, desktop_call_finished, job);
    job->work->session = job->context->session;
    g_task_set_task_data(task, job->work, desktop_work_free);
    job->work = NULL;
    g_task_set_return_on_cancel(task, TRUE);
    g_task_run_in_thread(task, desktop_call_thread);
    g_object_unref(task);
}

GCancellable *desktop_call_start(struct desktop_context *context, const char *what,
                                 const spona_request *request, enum desktop_call_kind kind,
                                 GCancellable *cancellable, desktop_call_done *done,
                                 gpointer user_data)
{
    struct desktop_job *job = g_new0(struct desktop_job, 1);
    job->context = context;
    job->done = done;
    job->user_data = user_data;
    job->body_case = request->body_case;
    job->cancellable = cancellable != NULL ? g_object_ref(cancellable) : g_cancellable_new();
    spona_request copy = *request;
    char *key = kind == DESKTOP_CALL_WRITE ? g_uuid_string_random() : NULL;
    if (key != NULL)
        copy.idempotency_key = key;
    if (copy.protocol_version == 0)
        copy.protocol_version = SPONA_PROTOCOL_VERSION;
    job->work = g_new0(struct desktop_work, 1);
    job->work->packed_length = spona__v1__request__get_packed_size(&copy);
    job->work->packed = g_malloc(job->work->packed_length > 0 ? job->work->packed_length : 1);
    spona__v1__request__pack(&copy, job->work->packed);
    g_free(key);
    desktop_job_run(job, what);
    return job->cancellable;
}

void desktop_call_resume_stored(struct desktop_context *context, desktop_call_done *done,
                                gpointer user_data)
{
    struct desktop_job *job = g_new0(struct desktop_job, 1);
    job->context = context;
    job->done = done;
    job->user_data = user_data;
    job->body_case = SPONA__V1__REQUEST__BODY_RESUME;
    job->resume = 1;
    job->work = g_new0(struct desktop_work, 1);
    job->cancellable = g_cancellable_new();
    desktop_job_run(job, _("Resuming the session"));
}

const char *desktop_call_error_text(const spona_response *response, const char *error)
{
    if (response != NULL && response->message != NULL && response->message[0] != '\0')
        return response->message;
    if (response != NULL)
        return envelope_status_name(response->status);
    return error != NULL && error[0] != '\0' ? error : _("no answer from the server");
}
