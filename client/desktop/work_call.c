/*
 * The work dialogs' calls (see work_call.h).
 */
#include "work_call.h"

#include "i18n.h"

/* One write pending for a dialog. */
struct work_write {
    struct form_dialog *dialog;
    int keep_open;
    work_call_written *written;
    gpointer data;
};

/* One read pending for an anchor (held by a ref). */
struct work_read {
    GtkWidget *anchor;
    work_call_loaded *loaded;
};

int work_call_ok(const spona_response *response)
{
    return response != NULL && response->status == SPONA__V1__STATUS__OK;
}

static void work_call_answered(const spona_response *response, const char *error,
                               int cancelled, gpointer data)
{
    struct work_write *write = data;
    int ok = work_call_ok(response);
    if (ok && write->written != NULL)
        write->written(write->data); /* the dialog is still held */
    form_dialog_done(write->dialog,
                     ok ? (write->keep_open ? "" : NULL)
                        : cancelled ? _("Cancelled: the change may or may not have been saved; "
                                        "look before trying again.")
                                    : desktop_call_error_text(response, error));
    g_free(write);
}

void work_call_send(struct desktop_context *context, struct form_dialog *dialog,
                    const char *what, const spona_request *request, int keep_open,
                    work_call_written *written, gpointer data)
{
    struct work_write *write = g_new0(struct work_write, 1);
    write->keep_open = keep_open;
    write->dialog = form_dialog_hold(dialog);
    write->written = written;
    write->data = data;
    GCancellable *cancellable = desktop_call_start(context, what, request, DESKTOP_CALL_WRITE,
                                                   NULL, work_call_answered, write);
    form_dialog_set_pending(dialog, cancellable);
}

static void work_call_read(const spona_response *response, const char *error, int cancelled,
                           gpointer data)
{
    struct work_read *read = data;
    if (gtk_widget_get_root(read->anchor) != NULL)
        read->loaded(read->anchor, response, error, cancelled);
    g_object_unref(read->anchor);
    g_free(read);
}

void work_call_load(struct desktop_context *context, const char *what,
                    const spona_request *request, enum desktop_call_kind kind,
                    GtkWidget *anchor, work_call_loaded *loaded)
{
    struct work_read *read = g_new0(struct work_read, 1);
    read->anchor = g_object_ref(anchor);
    read->loaded = loaded;
    desktop_call_start(context, what, request, kind, NULL, work_call_read, read);
}

char *work_call_today(void)
{
    GDateTime *now = g_date_time_new_now_local();
    char *today = g_date_time_format(now, "%Y-%m-%d");
    g_date_time_unref(now);
    return today;
}
