/*
 * The consent dialog (see consent_dialog.h), on form_dialog.c.
 */
#include "consent_dialog.h"

#include "i18n.h"
#include "institution_choice.h"
#include "ui_util.h"

#define MUTABLE(text) ((char *)(uintptr_t)(text))

static const char *const consent_categories[] = {
    "identity",      "contact_address", "benefits_household", "education_work",
    "health_disability", "safety",      "plan_measures",      "case_notes",
    "outcomes",
};
#define CATEGORY_COUNT G_N_ELEMENTS(consent_categories)

/* One open dialog; freed with its window. */
struct consent_form {
    struct desktop_context *context;
    struct form_dialog *dialog;
    char *person_id;
    work_call_written *written;
    gpointer data;
    GtkWidget *list;
    GtkWidget *institution;
    GtkWidget *categories[CATEGORY_COUNT];
    GtkWidget *given_on;
    GtkWidget *reference;
    GtkWidget *expires_on;
};

static void consent_form_free(gpointer data)
{
    struct consent_form *form = data;
    g_free(form->person_id);
    g_free(form);
}

static struct consent_form *consent_form_of(GtkWidget *widget)
{
    GtkRoot *root = gtk_widget_get_root(widget);
    return root != NULL ? g_object_get_data(G_OBJECT(root), "consent-form") : NULL;
}

static void consent_load(struct consent_form *form);

/* The withdrawal's answer: the list again, or the refusal. */
static void consent_withdrawn(GtkWidget *list, const spona_response *response,
                              const char *error, int cancelled)
{
    struct consent_form *form = consent_form_of(list);
    if (form == NULL)
        return;
    if (!work_call_ok(response)) {
        form_dialog_say(form->dialog, cancelled ? _("Cancelled: the withdrawal may or may not "
                                                    "have been saved; look before trying again.")
                                                : desktop_call_error_text(response, error));
        return;
    }
    if (form->written != NULL)
        form->written(form->data);
    consent_load(form);
}

static void consent_on_withdraw(GtkButton *button, gpointer data)
{
    struct consent_form *form = data;
    gtk_widget_set_sensitive(GTK_WIDGET(button), FALSE);
    char *category = g_object_get_data(G_OBJECT(button), "consent-category");
    Spona__V1__ConsentWithdrawRequest body = SPONA__V1__CONSENT_WITHDRAW_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.person_id = form->person_id;
    body.institution_code = g_object_get_data(G_OBJECT(button), "consent-institution");
    body.n_categories = 1;
    body.categories = &category;
    request.body_case = SPONA__V1__REQUEST__BODY_CONSENT_WITHDRAW;
    request.consent_withdraw = &body;
    work_call_load(form->context, _("Withdrawing the consent"), &request, DESKTOP_CALL_WRITE,
                   form->list, consent_withdrawn);
}

/* One record: its text and Withdraw (sensitive while it is not withdrawn). */
static GtkWidget *consent_row(struct consent_form *form, const Spona__V1__Consent *consent)
{
    char *state = consent->withdrawn_at[0] != '\0'
                      ? g_strdup_printf(_("withdrawn %s"), consent->withdrawn_at)
                      : g_strdup(consent->in_force ? _("in force") : _("not in force"));
    char *text = g_strdup_printf(_("%s · %s · given %s · form %s · %s"),
                                 consent->institution_code,
                                 i18n_code_label("category", consent->category),
                                 consent->given_on, consent->form_reference, state);
    GtkWidget *row = ui_list_row(text);
    GtkWidget *label = gtk_list_box_row_get_child(GTK_LIST_BOX_ROW(row));
    g_object_ref(label);
    gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), NULL);
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_hexpand(label, TRUE);
    gtk_box_append(GTK_BOX(box), label);
    g_object_unref(label);
    char *withdraw_name = g_strdup_printf(_("Withdraw: %s"), text);
    GtkWidget *withdraw = ui_button(_("_Withdraw"));
    ui_set_accessible_name(withdraw, withdraw_name);
    gtk_widget_set_sensitive(withdraw, consent->withdrawn_at[0] == '\0');
    g_object_set_data_full(G_OBJECT(withdraw), "consent-category", g_strdup(consent->category),
                           g_free);
    g_object_set_data_full(G_OBJECT(withdraw), "consent-institution",
                           g_strdup(consent->institution_code), g_free);
    g_signal_connect(withdraw, "clicked", G_CALLBACK(consent_on_withdraw), form);
    gtk_box_append(GTK_BOX(box), withdraw);
    gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
    g_free(withdraw_name);
    g_free(text);
    g_free(state);
    return row;
}

static void consent_listed(GtkWidget *list, const spona_response *response, const char *error,
                           int cancelled)
{
    struct consent_form *form = consent_form_of(list);
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child(list)) != NULL)
        gtk_list_box_remove(GTK_LIST_BOX(list), child);
    if (form == NULL)
        return;
    if (!work_call_ok(response) || response->consent_list == NULL) {
        gtk_list_box_append(GTK_LIST_BOX(list),
                            ui_list_row(cancelled ? _("Cancelled.")
                                                  : desktop_call_error_text(response, error)));
        return;
    }
    const Spona__V1__ConsentListResponse *answer = response->consent_list;
    for (size_t i = 0; i < answer->n_consents; i++)
        gtk_list_box_append(GTK_LIST_BOX(list), consent_row(form, answer->consents[i]));
    if (answer->n_consents == 0)
        gtk_list_box_append(GTK_LIST_BOX(list), ui_list_row(_("No consent recorded")));
}

static void consent_load(struct consent_form *form)
{
    Spona__V1__ConsentListRequest body = SPONA__V1__CONSENT_LIST_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.person_id = form->person_id;
    request.body_case = SPONA__V1__REQUEST__BODY_CONSENT_LIST;
    request.consent_list = &body;
    work_call_load(form->context, _("Loading the consents"), &request, DESKTOP_CALL_READ,
                   form->list, consent_listed);
}

/* After a recorded consent: the page is told, the list read again. */
static void consent_recorded(gpointer data)
{
    struct consent_form *form = data;
    if (form->written != NULL)
        form->written(form->data);
    for (size_t i = 0; i < CATEGORY_COUNT; i++)
        gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(form->categories[i]), FALSE);
    gtk_editable_set_text(GTK_EDITABLE(form->reference), "");
    consent_load(form);
}

static void consent_submit(struct form_dialog *dialog, gpointer data)
{
    struct consent_form *form = data;
    const char *institution = institution_choice_code(form->institution);
    char *chosen[CATEGORY_COUNT];
    size_t count = 0;
    for (size_t i = 0; i < CATEGORY_COUNT; i++)
        if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(form->categories[i])))
            chosen[count++] = MUTABLE(consent_categories[i]);
    const char *reference = gtk_editable_get_text(GTK_EDITABLE(form->reference));
    if (institution == NULL || count == 0 || reference[0] == '\0') {
        form_dialog_say(dialog, _("Choose the institution and at least one category, and "
                                  "give the signed form's reference."));
        return;
    }
    Spona__V1__ConsentGrantRequest body = SPONA__V1__CONSENT_GRANT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.person_id = form->person_id;
    body.institution_code = MUTABLE(institution);
    body.n_categories = count;
    body.categories = chosen;
    body.given_on = MUTABLE(gtk_editable_get_text(GTK_EDITABLE(form->given_on)));
    body.form_reference = MUTABLE(reference);
    body.expires_on = MUTABLE(gtk_editable_get_text(GTK_EDITABLE(form->expires_on)));
    request.body_case = SPONA__V1__REQUEST__BODY_CONSENT_GRANT;
    request.consent_grant = &body;
    work_call_send(form->context, dialog, _("Recording the consent"), &request, 1,
                   consent_recorded, form);
}

/* The categories as toggle buttons, any number chosen (each named by its label). */
static void consent_category_buttons(struct consent_form *form)
{
    GtkWidget *box = gtk_flow_box_new();
    gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(box), GTK_SELECTION_NONE);
    gtk_flow_box_set_min_children_per_line(GTK_FLOW_BOX(box), 3);
    gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(box), 3);
    for (size_t i = 0; i < CATEGORY_COUNT; i++) {
        form->categories[i] =
            gtk_toggle_button_new_with_label(i18n_code_label("category", consent_categories[i]));
        gtk_flow_box_append(GTK_FLOW_BOX(box), form->categories[i]);
    }
    form_dialog_widget(form->dialog, _("Categories"), box);
}

static void consent_fields(struct consent_form *form)
{
    struct form_dialog *dialog = form->dialog;
    form->list = gtk_list_box_new();
    gtk_list_box_set_selection_mode(GTK_LIST_BOX(form->list), GTK_SELECTION_NONE);
    gtk_list_box_append(GTK_LIST_BOX(form->list), ui_list_row(_("Loading the consents…")));
    form_dialog_widget(dialog, _("Consent records"), form->list);
    form->institution = institution_choice_new(form->context, dialog, _("Share with"),
                                               INSTITUTION_CHOICE_PARTNERS);
    consent_category_buttons(form);
    char *today = work_call_today();
    form->given_on = form_dialog_entry(dialog, _("_Given on (YYYY-MM-DD)"), today);
    g_free(today);
    form->reference = form_dialog_entry(dialog, _("Signed _form reference"), NULL);
    form->expires_on = form_dialog_entry(dialog, _("_Expires on (YYYY-MM-DD, optional)"), NULL);
}

void consent_dialog_open(struct desktop_context *context, const char *person_id,
                         work_call_written *written, gpointer data)
{
    struct consent_form *form = g_new0(struct consent_form, 1);
    form->context = context;
    form->person_id = g_strdup(person_id);
    form->written = written;
    form->data = data;
    form->dialog = form_dialog_new(context->window, _("The person's consent"),
                                   _("_Record consent"));
    consent_fields(form);
    g_object_set_data_full(G_OBJECT(gtk_widget_get_root(form->list)), "consent-form", form,
                           consent_form_free);
    consent_load(form);
    form_dialog_present(form->dialog, consent_submit, form);
    gtk_widget_grab_focus(form->given_on);
}
