/*
 * The person and case tabs from their own views (see person_tabs.h).
 */
#include "person_tabs.h"

#include <string.h>

#include "desktop_call.h"
#include "hidden_row.h"
#include "i18n.h"
#include "ui_util.h"

void person_tabs_note(GtkBox *tab, const char *text)
{
    GtkWidget *label = ui_text(text);
    gtk_widget_add_css_class(label, "dim-label");
    gtk_box_append(tab, label);
}

/* The fields of one visible category as "name: value" lines. */
static void identity_category(GtkBox *tab, const Spona__V1__PersonView *person,
                              const char *category)
{
    gtk_box_append(tab, ui_heading(i18n_code_label("category", category)));
    int shown = 0;
    for (size_t i = 0; i < person->n_fields; i++) {
        const Spona__V1__PersonField *field = person->fields[i];
        if (field->category == NULL || strcmp(field->category, category) != 0)
            continue;
        char *line = g_strdup_printf("%s: %s", i18n_code_label("field", field->name),
                                     field->value);
        gtk_box_append(tab, ui_text(line));
        g_free(line);
        shown++;
    }
    if (shown == 0)
        person_tabs_note(tab, _("Nothing recorded"));
}

void person_tabs_identity(GtkBox *tab, const Spona__V1__PersonView *person)
{
    ui_box_clear(tab);
    for (size_t i = 0; i < person->n_decisions; i++) {
        const Spona__V1__CategoryDecision *decision = person->decisions[i];
        if (decision->action == NULL || strcmp(decision->action, "read") != 0 ||
            strcmp(decision->category, "benefits_household") == 0 ||
            strcmp(decision->category, "aggregates") == 0)
            continue;
        if (hidden_row_hides(decision))
            gtk_box_append(tab, hidden_row_new(decision->category, decision));
        else
            identity_category(tab, person, decision->category);
    }
}

void person_tabs_household(GtkBox *tab, const Spona__V1__PersonView *person)
{
    ui_box_clear(tab);
    const Spona__V1__CategoryDecision *decision =
        hidden_row_find(person->decisions, person->n_decisions, "benefits_household");
    if (hidden_row_hides(decision)) {
        gtk_box_append(tab, hidden_row_new("benefits_household", decision));
        return;
    }
    identity_category(tab, person, "benefits_household");
    gtk_box_append(tab, ui_heading(_("Household")));
    for (size_t i = 0; i < person->n_household; i++) {
        char *line = g_strdup_printf(_("%s, %s, born %u"), person->household[i]->name,
                                     person->household[i]->relation,
                                     person->household[i]->birth_year);
        gtk_box_append(tab, ui_text(line));
        g_free(line);
    }
    if (person->n_household == 0)
        person_tabs_note(tab, _("Nothing recorded"));
    gtk_box_append(tab, ui_heading(_("Benefits")));
    for (size_t i = 0; i < person->n_benefits; i++) {
        const Spona__V1__BenefitPeriod *benefit = person->benefits[i];
        char *line = g_strdup_printf(_("%s since %s%s%s, %s BAM"), benefit->kind, benefit->since,
                                     benefit->until[0] ? _(" until ") : "", benefit->until,
                                     benefit->amount[0] ? benefit->amount : "-");
        gtk_box_append(tab, ui_text(line));
        g_free(line);
    }
    if (person->n_benefits == 0)
        person_tabs_note(tab, _("Nothing recorded"));
}

void person_tabs_assessment(GtkBox *tab, const spona_response *response, const char *error)
{
    ui_box_clear(tab);
    if (response == NULL || response->status != SPONA__V1__STATUS__OK ||
        response->assessment_get == NULL) {
        person_tabs_note(tab, response != NULL && response->status == SPONA__V1__STATUS__NOT_FOUND
                                  ? _("No assessment recorded")
                                  : desktop_call_error_text(response, error));
        return;
    }
    const Spona__V1__AssessmentView *view = response->assessment_get;
    char *header = g_strdup_printf(_("Assessment version %u of %s by %s"), view->version,
                                   view->assessed_on, view->assessor);
    gtk_box_append(tab, ui_heading(header));
    g_free(header);
    for (size_t i = 0; i < view->n_domains; i++) {
        const Spona__V1__AssessmentDomain *domain = view->domains[i];
        char *line = g_strdup_printf(_("%s: %u of 5 (%s)%s%s"),
                                     i18n_code_label("domain", domain->domain), domain->rating,
                                     i18n_code_label("category", domain->category),
                                     domain->notes[0] ? ": " : "", domain->notes);
        gtk_box_append(tab, ui_text(line));
        g_free(line);
    }
    if (view->strengths != NULL && view->strengths[0] != '\0') {
        char *line = g_strdup_printf(_("Strengths: %s"), view->strengths);
        gtk_box_append(tab, ui_text(line));
        g_free(line);
    }
    for (size_t i = 0; i < view->n_decisions; i++) {
        const Spona__V1__CategoryDecision *decision = view->decisions[i];
        if (strcmp(decision->action, "read") == 0 && hidden_row_hides(decision))
            gtk_box_append(tab, hidden_row_new(decision->category, decision));
    }
}

/* The goals and measures of a plan. */
static void plan_lines(GtkBox *tab, const Spona__V1__PlanView *plan)
{
    char *header = g_strdup_printf(_("Plan version %u, review %s"), plan->version,
                                   plan->review_date[0] ? plan->review_date : _("(not set)"));
    gtk_box_append(tab, ui_heading(header));
    g_free(header);
    for (size_t i = 0; i < plan->n_goals; i++) {
        char *line = g_strdup_printf(_("Goal %u: %s (%s, by %s)"), plan->goals[i]->number,
                                     plan->goals[i]->text,
                                     i18n_code_label("goal_status", plan->goals[i]->status),
                                     plan->goals[i]->target_date);
        gtk_box_append(tab, ui_text(line));
        g_free(line);
    }
    for (size_t i = 0; i < plan->n_measures; i++) {
        const Spona__V1__PlanMeasure *measure = plan->measures[i];
        char *line = g_strdup_printf(_("Measure %u: %s, %s, %s (%s, due %s)"), measure->number,
                                     i18n_code_label("measure_kind", measure->kind),
                                     measure->description,
                                     measure->responsible_institution_code,
                                     i18n_code_label("measure_status", measure->status),
                                     measure->due_date);
        if (measure->referral_id != NULL && measure->referral_id[0] != '\0') {
            /* a partner's measure refers the person to it (docs/cases.md) */
            char *linked = g_strdup_printf(_("%s → referral %.8s"), line, measure->referral_id);
            g_free(line);
            line = linked;
        }
        gtk_box_append(tab, ui_text(line));
        g_free(line);
    }
}

void person_tabs_plan(GtkBox *tab, const spona_response *response, const char *error,
                      const Spona__V1__PersonView *person)
{
    ui_box_clear(tab);
    const Spona__V1__CategoryDecision *decision =
        person != NULL ? hidden_row_find(person->decisions, person->n_decisions, "plan_measures")
                       : NULL;
    if (person != NULL && hidden_row_hides(decision)) {
        gtk_box_append(tab, hidden_row_new("plan_measures", decision));
        return;
    }
    if (response != NULL && response->status == SPONA__V1__STATUS__OK &&
        response->plan_get != NULL)
        plan_lines(tab, response->plan_get);
    else if (response != NULL && response->status == SPONA__V1__STATUS__NOT_FOUND)
        person_tabs_note(tab, _("No plan yet"));
    else
        person_tabs_note(tab, desktop_call_error_text(response, error));
}
