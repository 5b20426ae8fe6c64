/*
 * The plan editor (see plan_editor.h), on form_dialog.c.
 */
#include "plan_editor.h"

#include "i18n.h"
#include "institution_choice.h"
#include "ui_util.h"

#define MUTABLE(text) ((char *)(uintptr_t)(text))

static const char *const measure_kinds[] = {
    "training",        "requalification",   "job_search_support",   "subsidised_employment",
    "self_employment", "social_enterprise", "psychosocial_support", "childcare",
    "documents",       "public_works",      "other",                NULL,
};

enum plan_field {
    PLAN_GOAL,
    PLAN_TARGET,
    PLAN_KIND,
    PLAN_MEASURE,
    PLAN_RESPONSIBLE,
    PLAN_DUE,
    PLAN_REVIEW,
    PLAN_FIELDS,
};

/* One open editor; freed with its window. */
struct plan_form {
    struct desktop_context *context;
    struct form_dialog *dialog;
    char *case_id;
    work_call_written *written;
    gpointer data;
    GtkWidget *fields[PLAN_FIELDS];
    int loaded;       /* the plan's version is known */
    uint32_t version; /* 0: no plan yet */
};

static void plan_form_free(gpointer data)
{
    struct plan_form *form = data;
    g_free(form->case_id);
    g_free(form);
}

static const char *plan_text(struct plan_form *form, enum plan_field field)
{
    return gtk_editable_get_text(GTK_EDITABLE(form->fields[field]));
}

/* The measure part of the change, when a measure is named; 0, or -1 said to the user. */
static int plan_measure(struct plan_form *form, Spona__V1__PlanMeasure *measure)
{
    const char *institution = institution_choice_code(form->fields[PLAN_RESPONSIBLE]);
    if (institution == NULL) {
        form_dialog_say(form->dialog, _("Choose the institution responsible for the measure."));
        return -1;
    }
    int kind = ui_radio_active(form->fields[PLAN_KIND]);
    measure->kind = MUTABLE(measure_kinds[kind < 0 ? 0 : kind]);
    measure->description = MUTABLE(plan_text(form, PLAN_MEASURE));
    measure->responsible_institution_code = MUTABLE(institution);
    measure->due_date = MUTABLE(plan_text(form, PLAN_DUE));
    return 0;
}

static void plan_submit(struct form_dialog *dialog, gpointer data)
{
    struct plan_form *form = data;
    if (!form->loaded) {
        form_dialog_say(dialog, _("The plan is still loading; try again in a moment."));
        return;
    }
    Spona__V1__PlanChangeRequest body = SPONA__V1__PLAN_CHANGE_REQUEST__INIT;
    Spona__V1__PlanGoal goal = SPONA__V1__PLAN_GOAL__INIT;
    Spona__V1__PlanMeasure measure = SPONA__V1__PLAN_MEASURE__INIT;
    Spona__V1__PlanGoal *goals[] = { &goal };
    Spona__V1__PlanMeasure *measures[] = { &measure };
    body.case_id = form->case_id;
    body.expected_version = form->version;
    body.review_date = MUTABLE(plan_text(form, PLAN_REVIEW));
    if (plan_text(form, PLAN_GOAL)[0] != '\0') {
        goal.text = MUTABLE(plan_text(form, PLAN_GOAL));
        goal.target_date = MUTABLE(plan_text(form, PLAN_TARGET));
        body.n_add_goals = 1;
        body.add_goals = goals;
    }
    if (plan_text(form, PLAN_MEASURE)[0] != '\0') {
        if (plan_measure(form, &measure) != 0)
            return;
        body.n_add_measures = 1;
        body.add_measures = measures;
    }
    if (body.n_add_goals + body.n_add_measures == 0 && body.review_date[0] == '\0') {
        form_dialog_say(dialog, _("Name a goal or a measure, or set the review date."));
        return;
    }
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_PLAN_CHANGE;
    request.plan_change = &body;
    work_call_send(form->context, dialog, _("Changing the plan"), &request, 0,
                   form->written, form->data);
}

/* The plan read when the editor opened: its version is the one the change is made on. */
static void plan_loaded(GtkWidget *anchor, const spona_response *response, const char *error,
                        int cancelled)
{
    struct plan_form *form = g_object_get_data(G_OBJECT(gtk_widget_get_root(anchor)),
                                               "plan-form");
    if (form == NULL)
        return;
    if (work_call_ok(response) && response->plan_get != NULL) {
        form->version = response->plan_get->version;
        form->loaded = 1;
    } else if (response != NULL && response->status == SPONA__V1__STATUS__NOT_FOUND) {
        form->version = 0;
        form->loaded = 1;
    } else {
        form_dialog_say(form->dialog, cancelled ? _("Cancelled.")
                                                : desktop_call_error_text(response, error));
    }
}

static void plan_editor_fields(struct plan_form *form)
{
    const char *kinds[G_N_ELEMENTS(measure_kinds)];
    for (size_t i = 0; i < G_N_ELEMENTS(measure_kinds); i++)
        kinds[i] = measure_kinds[i] != NULL ? i18n_code_label("measure_kind", measure_kinds[i])
                                            : NULL;
    struct form_dialog *dialog = form->dialog;
    form->fields[PLAN_GOAL] = form_dialog_entry(dialog, _("_Goal"), NULL);
    form->fields[PLAN_TARGET] = form_dialog_entry(dialog, _("_Target date (YYYY-MM-DD)"), NULL);
    form->fields[PLAN_MEASURE] = form_dialog_entry(dialog, _("_Measure"), NULL);
    form->fields[PLAN_KIND] = form_dialog_choice(dialog, _("Kind of measure"), kinds);
    form->fields[PLAN_RESPONSIBLE] = institution_choice_new(
        form->context, dialog, _("Responsible institution"), INSTITUTION_CHOICE_NO_COORDINATOR);
    form->fields[PLAN_DUE] = form_dialog_entry(dialog, _("_Due date (YYYY-MM-DD)"), NULL);
    form->fields[PLAN_REVIEW] = form_dialog_entry(dialog, _("_Review date (YYYY-MM-DD)"), NULL);
}

void plan_editor_open(struct desktop_context *context, const char *case_id,
                      work_call_written *written, gpointer data)
{
    struct plan_form *form = g_new0(struct plan_form, 1);
    form->context = context;
    form->case_id = g_strdup(case_id);
    form->written = written;
    form->data = data;
    form->dialog = form_dialog_new(context->window, _("Edit the plan"), _("_Save to the plan"));
    plan_editor_fields(form);
    GtkWidget *first = form->fields[PLAN_GOAL];
    g_object_set_data_full(G_OBJECT(gtk_widget_get_root(first)), "plan-form", form,
                           plan_form_free);
    Spona__V1__PlanGetRequest get = SPONA__V1__PLAN_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    get.case_id = form->case_id;
    request.body_case = SPONA__V1__REQUEST__BODY_PLAN_GET;
    request.plan_get = &get;
    work_call_load(context, _("Loading the plan"), &request, DESKTOP_CALL_READ, first, plan_loaded);
    form_dialog_present(form->dialog, plan_submit, form);
    gtk_widget_grab_focus(first);
}
