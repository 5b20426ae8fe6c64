/*
 * The case's work actions (see case_work.h).
 */
#include "case_work.h"

#include "assessment_dialog.h"
#include "consent_dialog.h"
#include "followup_dialog.h"
#include "i18n.h"
#include "plan_editor.h"
#include "ui_util.h"

struct case_work {
    struct desktop_context *context;
    case_work_target *target;
    work_call_written *reload;
    gpointer data;
    GtkWidget *consent;
};

/* The case and person now shown; 0 when there is no case yet. */
static int case_work_now(struct case_work *work, const char **case_id,
                         const Spona__V1__PersonView **person)
{
    *case_id = NULL;
    *person = NULL;
    work->target(work->data, case_id, person);
    return *case_id != NULL;
}

static void on_assessment(GtkButton *button, gpointer data)
{
    struct case_work *work = data;
    const char *case_id;
    const Spona__V1__PersonView *person;
    if (case_work_now(work, &case_id, &person))
        assessment_dialog_open(work->context, case_id, person, work->reload, work->data);
}

static void on_plan(GtkButton *button, gpointer data)
{
    struct case_work *work = data;
    const char *case_id;
    const Spona__V1__PersonView *person;
    if (case_work_now(work, &case_id, &person))
        plan_editor_open(work->context, case_id, work->reload, work->data);
}

static void on_follow_up(GtkButton *button, gpointer data)
{
    struct case_work *work = data;
    const char *case_id;
    const Spona__V1__PersonView *person;
    if (case_work_now(work, &case_id, &person))
        followup_dialog_open(work->context, case_id, work->reload, work->data);
}

static void on_consent(GtkButton *button, gpointer data)
{
    struct case_work *work = data;
    const char *case_id;
    const Spona__V1__PersonView *person;
    if (case_work_now(work, &case_id, &person) && person != NULL)
        consent_dialog_open(work->context, person->person_id, work->reload, work->data);
}

/* Shown again (after a sign-in as another institution, too): Consent for the lead only. */
static void case_work_on_map(GtkWidget *bar, gpointer data)
{
    struct case_work *work = data;
    gtk_widget_set_visible(work->consent,
                           g_strcmp0(work->context->institution_role, "lead_agency") == 0);
}

GtkWidget *case_work_bar_new(struct desktop_context *context, case_work_target *target,
                             work_call_written *reload, gpointer data)
{
    struct case_work *work = g_new0(struct case_work, 1);
    work->context = context;
    work->target = target;
    work->reload = reload;
    work->data = data;
    GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_halign(bar, GTK_ALIGN_END);
    g_object_set_data_full(G_OBJECT(bar), "case-work", work, g_free);
    const struct {
        const char *label;
        GCallback handler;
    } buttons[] = {
        { N_("Record a_ssessment"), G_CALLBACK(on_assessment) },
        { N_("_Edit plan"), G_CALLBACK(on_plan) },
        { N_("Add follo_w-up"), G_CALLBACK(on_follow_up) },
        { N_("_Consent"), G_CALLBACK(on_consent) },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(buttons); i++) {
        GtkWidget *button = ui_button(_(buttons[i].label));
        g_signal_connect(button, "clicked", buttons[i].handler, work);
        gtk_box_append(GTK_BOX(bar), button);
        work->consent = button; /* the last */
    }
    g_signal_connect(bar, "map", G_CALLBACK(case_work_on_map), work);
    return bar;
}
