/*
 * The follow-up dialog (see followup_dialog.h), on form_dialog.c.
 */
#include "followup_dialog.h"

#include <string.h>

#include "desktop_text.h"
#include "i18n.h"
#include "ui_util.h"

#define MUTABLE(text) ((char *)(uintptr_t)(text))

static const uint32_t followup_months[] = { 3, 6, 12 };

/* One open dialog; freed with its window. */
struct followup_form {
    struct desktop_context *context;
    struct form_dialog *dialog;
    work_call_written *written;
    gpointer data;
    GtkWidget *outcomes; /* box; "outcome-ids" and "outcome-leader" when loaded */
    GtkWidget *months;
    GtkWidget *checked_on;
    GtkWidget *employed;
    GtkWidget *note;
};

static const char *followup_outcome(struct followup_form *form)
{
    GPtrArray *ids = g_object_get_data(G_OBJECT(form->outcomes), "outcome-ids");
    GtkWidget *leader = g_object_get_data(G_OBJECT(form->outcomes), "outcome-leader");
    int chosen = leader != NULL ? ui_radio_active(leader) : -1;
    return ids != NULL && chosen >= 0 && (guint)chosen < ids->len ? ids->pdata[chosen] : NULL;
}

static void followup_submit(struct form_dialog *dialog, gpointer data)
{
    struct followup_form *form = data;
    const char *outcome = followup_outcome(form);
    if (outcome == NULL) {
        form_dialog_say(dialog, _("Choose the outcome."));
        return;
    }
    int months = ui_radio_active(form->months);
    Spona__V1__FollowUp follow_up = SPONA__V1__FOLLOW_UP__INIT;
    follow_up.months = followup_months[months < 0 ? 0 : months];
    follow_up.checked_on = MUTABLE(gtk_editable_get_text(GTK_EDITABLE(form->checked_on)));
    follow_up.still_employed = ui_radio_active(form->employed) == 0;
    follow_up.note = MUTABLE(gtk_editable_get_text(GTK_EDITABLE(form->note)));
    Spona__V1__FollowUpRecordRequest body = SPONA__V1__FOLLOW_UP_RECORD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.outcome_id = MUTABLE(outcome);
    body.follow_up = &follow_up;
    request.body_case = SPONA__V1__REQUEST__BODY_FOLLOW_UP_RECORD;
    request.follow_up_record = &body;
    work_call_send(form->context, dialog, _("Recording the follow-up"), &request, 0,
                   form->written, form->data);
}

/* The outcomes of the case's timeline as a choice (the newest chosen). */
static void followup_outcomes(GtkWidget *box, const spona_response *response, const char *error,
                              int cancelled)
{
    ui_box_clear(GTK_BOX(box));
    if (!work_call_ok(response) || response->timeline == NULL) {
        gtk_box_append(GTK_BOX(box), ui_text(cancelled ? _("Cancelled.")
                                                       : desktop_call_error_text(response,
                                                                                 error)));
        return;
    }
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const Spona__V1__TimelineResponse *timeline = response->timeline;
    for (size_t i = 0; i < timeline->n_events; i++) {
        const Spona__V1__TimelineEvent *event = timeline->events[i];
        if (strcmp(event->kind, "outcome") != 0 || event->record_id[0] == '\0')
            continue;
        g_ptr_array_add(ids, g_strdup(event->record_id));
        g_ptr_array_add(names, desktop_text_event(event));
    }
    if (ids->len == 0) {
        gtk_box_append(GTK_BOX(box), ui_text(_("No outcome recorded on this case")));
    } else {
        g_ptr_array_add(names, NULL);
        GtkWidget *leader = ui_radio_group(GTK_BOX(box), (const char *const *)names->pdata);
        GPtrArray *buttons = g_object_get_data(G_OBJECT(leader), "ui-radio-buttons");
        gtk_toggle_button_set_active(buttons->pdata[buttons->len - 1], TRUE);
        g_object_set_data(G_OBJECT(box), "outcome-leader", leader);
    }
    g_object_set_data_full(G_OBJECT(box), "outcome-ids", ids, (GDestroyNotify)g_ptr_array_unref);
    g_ptr_array_unref(names);
}

static void followup_fields(struct followup_form *form, const char *case_id)
{
    struct form_dialog *dialog = form->dialog;
    form->outcomes = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
    gtk_box_append(GTK_BOX(form->outcomes), ui_text(_("Loading the outcomes…")));
    form_dialog_widget(dialog, _("Outcome"), form->outcomes);
    const char *months[] = { _("3 months"), _("6 months"), _("12 months"), NULL };
    form->months = form_dialog_choice(dialog, _("Follow-up after"), months);
    char *today = work_call_today();
    form->checked_on = form_dialog_entry(dialog, _("_Checked on (YYYY-MM-DD)"), today);
    g_free(today);
    const char *employed[] = { _("still employed"), _("not employed"), NULL };
    form->employed = form_dialog_choice(dialog, _("Employment"), employed);
    form->note = form_dialog_entry(dialog, _("N_ote"), NULL);
    Spona__V1__TimelineRequest timeline = SPONA__V1__TIMELINE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    timeline.case_id = MUTABLE(case_id);
    request.body_case = SPONA__V1__REQUEST__BODY_TIMELINE;
    request.timeline = &timeline;
    work_call_load(form->context, _("Loading the outcomes"), &request, DESKTOP_CALL_READ,
                   form->outcomes, followup_outcomes);
}

void followup_dialog_open(struct desktop_context *context, const char *case_id,
                          work_call_written *written, gpointer data)
{
    struct followup_form *form = g_new0(struct followup_form, 1);
    form->context = context;
    form->written = written;
    form->data = data;
    form->dialog = form_dialog_new(context->window, _("Add a follow-up"), _("_Add follow-up"));
    followup_fields(form, case_id);
    g_object_set_data_full(G_OBJECT(gtk_widget_get_root(form->checked_on)), "followup-form",
                           form, g_free);
    form_dialog_present(form->dialog, followup_submit, form);
    gtk_widget_grab_focus(form->checked_on);
}
