/*
 * The assessment dialog (see assessment_dialog.h), on form_dialog.c.
 */
#include "assessment_dialog.h"

#include <string.h>

#include "hidden_row.h"
#include "i18n.h"
#include "ui_util.h"

#define MUTABLE(text) ((char *)(uintptr_t)(text))

/* The domains by category, as server/policy/case_domains.c has them. */
static const struct {
    const char *code;
    const char *label;
    const char *category;
} assessment_domains[] = {
    { "education_skills", N_("Education and skills"), "education_work" },
    { "work_history", N_("Work history"), "education_work" },
    { "health_disability", N_("Health and disability"), "health_disability" },
    { "housing", N_("Housing"), "benefits_household" },
    { "family_care", N_("Family care"), "benefits_household" },
    { "finances", N_("Finances"), "benefits_household" },
    { "domestic_violence", N_("Family and domestic violence"), "safety" },
    { "transport", N_("Transport"), "plan_measures" },
    { "childcare", N_("Childcare"), "plan_measures" },
    { "documents", N_("Documents"), "plan_measures" },
    { "discrimination", N_("Discrimination"), "plan_measures" },
};
#define DOMAIN_COUNT G_N_ELEMENTS(assessment_domains)

static const char *const assessment_categories[] = { "education_work", "health_disability",
                                                     "benefits_household", "safety",
                                                     "plan_measures" };

/* One open dialog; freed with its window. */
struct assessment_form {
    struct desktop_context *context;
    struct form_dialog *dialog;
    char *case_id;
    work_call_written *written;
    gpointer data;
    GtkWidget *rating[DOMAIN_COUNT]; /* the group's leader; NULL: category hidden */
    GtkWidget *notes[DOMAIN_COUNT];
    GtkWidget *strengths;
    GtkWidget *assessed_on;
};

static void assessment_form_free(gpointer data)
{
    struct assessment_form *form = data;
    g_free(form->case_id);
    g_free(form);
}

/* A domain's row: its name, the ratings and the notes. */
static GtkWidget *assessment_domain_row(struct assessment_form *form, size_t index)
{
    const char *label = _(assessment_domains[index].label);
    GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
    GtkWidget *name = gtk_label_new(label);
    gtk_label_set_xalign(GTK_LABEL(name), 0);
    gtk_widget_set_size_request(name, 180, -1);
    GtkWidget *ratings = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
    const char *texts[] = { _("not assessed"), "1", "2", "3", "4", "5", NULL };
    form->rating[index] = ui_radio_group(GTK_BOX(ratings), texts);
    GPtrArray *buttons = g_object_get_data(G_OBJECT(form->rating[index]), "ui-radio-buttons");
    for (guint i = 0; i < buttons->len; i++) {
        /* "Education and skills: 3", so each button says which domain it rates */
        char *accessible = g_strdup_printf("%s: %s", label, texts[i]);
        ui_set_accessible_name(buttons->pdata[i], accessible);
        g_free(accessible);
    }
    form->notes[index] = gtk_entry_new();
    gtk_widget_set_hexpand(form->notes[index], TRUE);
    gtk_widget_set_size_request(form->notes[index], 220, -1);
    char *notes_name = g_strdup_printf(_("Notes on %s"), label);
    ui_set_accessible_name(form->notes[index], notes_name);
    gtk_entry_set_placeholder_text(GTK_ENTRY(form->notes[index]), _("notes"));
    g_free(notes_name);
    gtk_box_append(GTK_BOX(row), name);
    gtk_box_append(GTK_BOX(row), ratings);
    gtk_box_append(GTK_BOX(row), form->notes[index]);
    return row;
}

/* One category's part: its domains, or a hidden row with the reason. */
static void assessment_category(struct assessment_form *form, const char *category,
                                const Spona__V1__PersonView *person)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
    const Spona__V1__CategoryDecision *decision =
        person != NULL ? hidden_row_find(person->decisions, person->n_decisions, category)
                       : NULL;
    if (person != NULL && hidden_row_hides(decision)) {
        gtk_box_append(GTK_BOX(box), hidden_row_new(category, decision));
    } else {
        for (size_t i = 0; i < DOMAIN_COUNT; i++)
            if (strcmp(assessment_domains[i].category, category) == 0)
                gtk_box_append(GTK_BOX(box), assessment_domain_row(form, i));
    }
    form_dialog_widget(form->dialog, i18n_code_label("category", category), box);
}

static void assessment_submit(struct form_dialog *dialog, gpointer data)
{
    struct assessment_form *form = data;
    Spona__V1__AssessmentDomain items[DOMAIN_COUNT];
    Spona__V1__AssessmentDomain *pointers[DOMAIN_COUNT];
    size_t count = 0;
    for (size_t i = 0; i < DOMAIN_COUNT; i++) {
        int rating = form->rating[i] != NULL ? ui_radio_active(form->rating[i]) : 0;
        if (rating <= 0)
            continue;
        Spona__V1__AssessmentDomain init = SPONA__V1__ASSESSMENT_DOMAIN__INIT;
        items[count] = init;
        items[count].domain = MUTABLE(assessment_domains[i].code);
        items[count].rating = (uint32_t)rating;
        items[count].notes = MUTABLE(gtk_editable_get_text(GTK_EDITABLE(form->notes[i])));
        pointers[count] = &items[count];
        count++;
    }
    if (count == 0) {
        form_dialog_say(dialog, _("Rate at least one domain."));
        return;
    }
    Spona__V1__AssessmentRecordRequest body = SPONA__V1__ASSESSMENT_RECORD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.case_id = form->case_id;
    body.assessed_on = MUTABLE(gtk_editable_get_text(GTK_EDITABLE(form->assessed_on)));
    body.strengths = MUTABLE(gtk_editable_get_text(GTK_EDITABLE(form->strengths)));
    body.n_domains = count;
    body.domains = pointers;
    request.body_case = SPONA__V1__REQUEST__BODY_ASSESSMENT_RECORD;
    request.assessment_record = &body;
    work_call_send(form->context, dialog, _("Recording the assessment"), &request, 0,
                   form->written, form->data);
}

void assessment_dialog_open(struct desktop_context *context, const char *case_id,
                            const Spona__V1__PersonView *person, work_call_written *written,
                            gpointer data)
{
    struct assessment_form *form = g_new0(struct assessment_form, 1);
    form->context = context;
    form->case_id = g_strdup(case_id);
    form->written = written;
    form->data = data;
    form->dialog = form_dialog_new(context->window, _("Record an assessment"),
                                   _("_Record assessment"));
    char *today = work_call_today();
    form->assessed_on = form_dialog_entry(form->dialog, _("_Assessed on (YYYY-MM-DD)"), today);
    g_free(today);
    for (size_t i = 0; i < G_N_ELEMENTS(assessment_categories); i++)
        assessment_category(form, assessment_categories[i], person);
    form->strengths = form_dialog_entry(form->dialog, _("_Strengths"), NULL);
    GtkRoot *root = gtk_widget_get_root(form->assessed_on);
    gtk_window_set_default_size(GTK_WINDOW(root), 960, -1);
    g_object_set_data_full(G_OBJECT(root), "assessment-form", form, assessment_form_free);
    form_dialog_present(form->dialog, assessment_submit, form);
    gtk_widget_grab_focus(form->assessed_on);
}
