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

static const char *const goal_statuses[] = { "open", "achieved", "dropped", NULL };
static const char *const measure_statuses[] = { "planned", "in_progress", "done", "cancelled",
                                                NULL };

/* One goal or measure of the plan read, with the status it had and its choice. */
struct plan_status {
    uint32_t number;
    int goal; /* 1: a goal, 0: a measure */
    int original;
    GtkWidget *leader;
};

enum plan_field {
    PLAN_STATUSES,
    PLAN_GOAL,
    PLAN_TARGET,
    PLAN_KIND,
    PLAN_MEASURE,
    PLAN_RESPONSIBLE,
    PLAN_DUE,
    PLAN_REVIEW,
    PLAN_OBLIGATIONS,
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
    GArray *statuses; /* struct plan_status */
};

static void plan_form_free(gpointer data)
{
    struct plan_form *form = data;
    g_array_unref(form->statuses);
    g_free(form->case_id);
    g_free(form);
}

/* The index of code in codes (NULL-ended), or 0. */
static int plan_code_index(const char *const *codes, const char *code)
{
    for (int i = 0; codes[i] != NULL; i++)
        if (g_strcmp0(codes[i], code) == 0)
            return i;
    return 0;
}

/* One row of the statuses: what it is, and its status as toggle buttons named
   "WHAT: STATUS" (the status's label). */
static void plan_status_row(struct plan_form *form, const char *what, int goal,
                            uint32_t number, const char *status)
{
    const char *const *codes = goal ? goal_statuses : measure_statuses;
    const char *labels[5] = { NULL };
    for (int i = 0; codes[i] != NULL; i++)
        labels[i] = i18n_code_label(goal ? "goal_status" : "measure_status", codes[i]);
    GtkWidget *box = form->fields[PLAN_STATUSES];
    gtk_box_append(GTK_BOX(box), ui_text(what));
    GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
    struct plan_status row = { number, goal, plan_code_index(codes, status), NULL };
    row.leader = ui_radio_group(GTK_BOX(buttons), labels);
    GPtrArray *group = g_object_get_data(G_OBJECT(row.leader), "ui-radio-buttons");
    for (guint i = 0; i < group->len; i++) {
        char *name = g_strdup_printf("%s: %s", what, labels[i]);
        ui_set_accessible_name(group->pdata[i], name);
        g_free(name);
    }
    gtk_toggle_button_set_active(group->pdata[row.original], TRUE);
    gtk_box_append(GTK_BOX(box), buttons);
    g_array_append_val(form->statuses, row);
}

/* The goals and measures of the plan read, each with its status to change. */
static void plan_statuses_fill(struct plan_form *form, const Spona__V1__PlanView *plan)
{
    GtkWidget *box = form->fields[PLAN_STATUSES];
    ui_box_clear(GTK_BOX(box));
    for (size_t i = 0; i < plan->n_goals; i++) {
        char *what = g_strdup_printf(_("Goal %u: %s"), plan->goals[i]->number,
                                     plan->goals[i]->text);
        plan_status_row(form, what, 1, plan->goals[i]->number, plan->goals[i]->status);
        g_free(what);
    }
    for (size_t i = 0; i < plan->n_measures; i++) {
        const Spona__V1__PlanMeasure *measure = plan->measures[i];
        char *what = g_strdup_printf(_("Measure %u: %s (%s)"), measure->number,
                                     measure->description,
                                     measure->responsible_institution_code);
        plan_status_row(form, what, 0, measure->number, measure->status);
        g_free(what);
    }
    if (plan->n_goals + plan->n_measures == 0)
        gtk_box_append(GTK_BOX(box), ui_text(_("No goal or measure yet")));
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

/* The statuses changed in the editor, as the change's goal_status and measure_status. */
struct plan_changed {
    Spona__V1__PlanGoal *goals;
    Spona__V1__PlanGoal **goal_pointers;
    Spona__V1__PlanMeasure *measures;
    Spona__V1__PlanMeasure **measure_pointers;
};

static void plan_changed_collect(struct plan_form *form, struct plan_changed *changed,
                                 Spona__V1__PlanChangeRequest *body)
{
    guint count = form->statuses->len + 1;
    changed->goals = g_new0(Spona__V1__PlanGoal, count);
    changed->goal_pointers = g_new0(Spona__V1__PlanGoal *, count);
    changed->measures = g_new0(Spona__V1__PlanMeasure, count);
    changed->measure_pointers = g_new0(Spona__V1__PlanMeasure *, count);
    for (guint i = 0; i < form->statuses->len; i++) {
        const struct plan_status *row = &g_array_index(form->statuses, struct plan_status, i);
        int chosen = ui_radio_active(row->leader);
        if (chosen < 0 || chosen == row->original)
            continue;
        if (row->goal) {
            Spona__V1__PlanGoal init = SPONA__V1__PLAN_GOAL__INIT;
            Spona__V1__PlanGoal *item = &changed->goals[body->n_goal_status];
            *item = init;
            item->number = row->number;
            item->status = MUTABLE(goal_statuses[chosen]);
            changed->goal_pointers[body->n_goal_status++] = item;
        } else {
            Spona__V1__PlanMeasure init = SPONA__V1__PLAN_MEASURE__INIT;
            Spona__V1__PlanMeasure *item = &changed->measures[body->n_measure_status];
            *item = init;
            item->number = row->number;
            item->status = MUTABLE(measure_statuses[chosen]);
            changed->measure_pointers[body->n_measure_status++] = item;
        }
    }
    body->goal_status = changed->goal_pointers;
    body->measure_status = changed->measure_pointers;
}

static void plan_changed_free(struct plan_changed *changed)
{
    g_free(changed->goals);
    g_free(changed->goal_pointers);
    g_free(changed->measures);
    g_free(changed->measure_pointers);
}

/* 1 when body changes nothing. */
static int plan_change_empty(const Spona__V1__PlanChangeRequest *body)
{
    return body->n_add_goals + body->n_add_measures + body->n_goal_status +
                   body->n_measure_status ==
               0 &&
           body->review_date[0] == '\0' && body->obligations[0] == '\0';
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
    body.obligations = MUTABLE(plan_text(form, PLAN_OBLIGATIONS));
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
    struct plan_changed changed;
    plan_changed_collect(form, &changed, &body);
    if (plan_change_empty(&body)) {
        form_dialog_say(dialog, _("Name a goal or a measure, change a status, or set the "
                                  "review date or the obligations."));
    } else {
        spona_request request = SPONA__V1__REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_PLAN_CHANGE;
        request.plan_change = &body;
        work_call_send(form->context, dialog, _("Changing the plan"), &request, 0,
                       form->written, form->data);
    }
    plan_changed_free(&changed);
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
        plan_statuses_fill(form, response->plan_get);
    } else if (response != NULL && response->status == SPONA__V1__STATUS__NOT_FOUND) {
        form->version = 0;
        form->loaded = 1;
        ui_box_clear(GTK_BOX(form->fields[PLAN_STATUSES]));
        gtk_box_append(GTK_BOX(form->fields[PLAN_STATUSES]), ui_text(_("No plan yet")));
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
    form->fields[PLAN_STATUSES] = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    gtk_box_append(GTK_BOX(form->fields[PLAN_STATUSES]), ui_text(_("Loading the plan…")));
    form_dialog_widget(dialog, _("Statuses"), form->fields[PLAN_STATUSES]);
    form->fields[PLAN_GOAL] = form_dialog_entry(dialog, _("_Goal"), NULL);
    form->fields[PLAN_TARGET] = form_dialog_entry(dialog, _("_Target date (YYYY-MM-DD)"), NULL);
    form->fields[PLAN_MEASURE] = form_dialog_entry(dialog, _("_Measure"), NULL);
    form->fields[PLAN_KIND] = form_dialog_choice(dialog, _("Kind of measure"), kinds);
    form->fields[PLAN_RESPONSIBLE] = institution_choice_new(
        form->context, dialog, _("Responsible institution"), INSTITUTION_CHOICE_NO_COORDINATOR);
    form->fields[PLAN_DUE] = form_dialog_entry(dialog, _("_Due date (YYYY-MM-DD)"), NULL);
    form->fields[PLAN_REVIEW] = form_dialog_entry(dialog, _("_Review date (YYYY-MM-DD)"), NULL);
    form->fields[PLAN_OBLIGATIONS] = form_dialog_entry(dialog, _("The person's o_bligations"),
                                                       NULL);
}

void plan_editor_open(struct desktop_context *context, const char *case_id,
                      work_call_written *written, gpointer data)
{
    struct plan_form *form = g_new0(struct plan_form, 1);
    form->context = context;
    form->case_id = g_strdup(case_id);
    form->written = written;
    form->data = data;
    form->statuses = g_array_new(FALSE, TRUE, sizeof(struct plan_status));
    form->dialog = form_dialog_new(context->window, _("Edit the plan"), _("_Save to the plan"));
    plan_editor_fields(form);
    GtkWidget *first = form->fields[PLAN_GOAL];
    gtk_window_set_default_size(GTK_WINDOW(gtk_widget_get_root(first)), 720, -1);
    g_object_set_data_full(G_OBJECT(gtk_widget_get_root(first)), "plan-form", form,
                           plan_form_free);
    Spona__V1__PlanGetRequest get = SPONA__V1__PLAN_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    get.case_id = form->case_id;
    request.body_case = SPONA__V1__REQUEST__BODY_PLAN_GET;
    request.plan_get = &get;
    work_call_load(context, _("Loading the plan"), &request, DESKTOP_CALL_READ, first,
                   plan_loaded);
    form_dialog_present(form->dialog, plan_submit, form);
    gtk_widget_grab_focus(first);
}
