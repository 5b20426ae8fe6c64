/*
 * The case's write dialogs (see case_dialogs.h), on form_dialog.c.
 */
#include "case_dialogs.h"

#include <string.h>

#include "desktop_call.h"
#include "form_dialog.h"
#include "i18n.h"
#include "ui_util.h"

#define MUTABLE(text) ((char *)(uintptr_t)(text))

/* One open dialog: what it writes and whom to tell. Freed with the dialog's window. */
struct case_form {
    struct desktop_context *context;
    struct form_dialog *dialog;
    char *id; /* case or referral */
    uint64_t version;
    int complete;
    case_dialogs_written *written;
    gpointer data;
    GtkWidget *fields[6];
};

static void case_form_free(gpointer data)
{
    struct case_form *form = data;
    g_free(form->id);
    g_free(form);
}

static struct case_form *case_form_new(struct desktop_context *context, const char *title,
                                       const char *ok, const char *id,
                                       case_dialogs_written *written, gpointer data)
{
    struct case_form *form = g_new0(struct case_form, 1);
    form->context = context;
    form->id = g_strdup(id);
    form->written = written;
    form->data = data;
    form->dialog = form_dialog_new(context->window, title, ok);
    return form;
}

/* Ties the form's life to the dialog's window and shows it. */
static void case_form_present(struct case_form *form, form_dialog_submit *submit)
{
    GtkWidget *first = form->fields[0];
    GtkRoot *root = gtk_widget_get_root(first);
    g_object_set_data_full(G_OBJECT(root), "case-form", form, case_form_free);
    form_dialog_present(form->dialog, submit, form);
    gtk_widget_grab_focus(first);
}

static const char *case_form_text(struct case_form *form, int field)
{
    return gtk_editable_get_text(GTK_EDITABLE(form->fields[field]));
}

static void case_form_answered(const spona_response *response, const char *error,
                               int cancelled, gpointer data)
{
    struct case_form *form = data;
    case_dialogs_written *written = form->written;
    gpointer written_data = form->data;
    int ok = response != NULL && response->status == SPONA__V1__STATUS__OK;
    form_dialog_done(form->dialog, ok ? NULL
                                      : cancelled ? _("Cancelled: the change may or may not "
                                                      "have been saved; look before trying again.")
                                                  : desktop_call_error_text(response, error));
    if (ok && written != NULL)
        written(written_data);
}

/* Sends request for form (a write). */
static void case_form_send(struct case_form *form, const char *what, spona_request *request)
{
    form_dialog_hold(form->dialog);
    GCancellable *cancellable = desktop_call_start(form->context, what, request,
                                                   DESKTOP_CALL_WRITE, NULL,
                                                   case_form_answered, form);
    form_dialog_set_pending(form->dialog, cancellable);
}

static void note_submit(struct form_dialog *dialog, gpointer data)
{
    struct case_form *form = data;
    if (case_form_text(form, 0)[0] == '\0') {
        form_dialog_say(dialog, _("Write the note first."));
        return;
    }
    Spona__V1__NoteAddRequest body = SPONA__V1__NOTE_ADD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.case_id = form->id;
    body.text = MUTABLE(case_form_text(form, 0));
    request.body_case = SPONA__V1__REQUEST__BODY_NOTE_ADD;
    request.note_add = &body;
    case_form_send(form, _("Adding the note"), &request);
}

void case_dialogs_note(struct desktop_context *context, const char *case_id,
                       case_dialogs_written *written, gpointer data)
{
    struct case_form *form = case_form_new(context, _("Add a note"), _("_Add note"), case_id,
                                           written, data);
    form->fields[0] = form_dialog_entry(form->dialog, _("_Note"), NULL);
    case_form_present(form, note_submit);
}

/* The refer dialog's fields: the measure and due date entries, the institutions' box. */
enum { REFER_MEASURE, REFER_DUE, REFER_INSTITUTIONS };

/* The institution code chosen among the refer dialog's buttons, or NULL. */
static const char *refer_institution(struct case_form *form)
{
    GtkWidget *box = form->fields[REFER_INSTITUTIONS];
    GPtrArray *codes = g_object_get_data(G_OBJECT(box), "institution-codes");
    GtkWidget *leader = g_object_get_data(G_OBJECT(box), "institution-leader");
    int chosen = leader != NULL ? ui_radio_active(leader) : -1;
    if (codes == NULL || chosen < 0 || (guint)chosen >= codes->len)
        return NULL;
    return codes->pdata[chosen];
}

static void refer_submit(struct form_dialog *dialog, gpointer data)
{
    struct case_form *form = data;
    const char *institution = refer_institution(form);
    if (institution == NULL || case_form_text(form, REFER_MEASURE)[0] == '\0') {
        form_dialog_say(dialog, _("Choose the institution and name the measure."));
        return;
    }
    Spona__V1__ReferralCreateRequest body = SPONA__V1__REFERRAL_CREATE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.case_id = form->id;
    body.institution_code = MUTABLE(institution);
    body.measure = MUTABLE(case_form_text(form, REFER_MEASURE));
    body.due_date = MUTABLE(case_form_text(form, REFER_DUE));
    request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_CREATE;
    request.referral_create = &body;
    case_form_send(form, _("Sending the referral"), &request);
}

/* Fills box with one toggle button per enabled institution other than the caller's, by
   its full name (none chosen until the user chooses). */
static void refer_fill(struct case_form *form, GtkWidget *box,
                       const Spona__V1__DirectoryResponse *answer)
{
    ui_box_clear(GTK_BOX(box));
    GPtrArray *codes = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *names = g_ptr_array_new();
    for (size_t i = 0; i < answer->n_institutions; i++) {
        const Spona__V1__DirectoryEntry *entry = answer->institutions[i];
        if (!entry->enabled ||
            g_strcmp0(entry->institution_code, form->context->institution_code) == 0)
            continue;
        g_ptr_array_add(codes, g_strdup(entry->institution_code));
        g_ptr_array_add(names, entry->name[0] != '\0' ? entry->name : entry->institution_code);
    }
    g_ptr_array_add(names, NULL);
    g_object_set_data_full(G_OBJECT(box), "institution-codes", codes,
                           (GDestroyNotify)g_ptr_array_unref);
    if (codes->len == 0) {
        form_dialog_say(form->dialog, _("The protocol in force names no institution to "
                                        "refer to."));
    } else {
        GtkWidget *leader = ui_radio_group(GTK_BOX(box), (const char *const *)names->pdata);
        gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(leader), codes->len == 1);
        g_object_set_data(G_OBJECT(box), "institution-leader", leader);
    }
    g_ptr_array_unref(names);
}

/* The directory's answer (the box is held by a ref: the dialog may be gone). */
static void refer_directory(const spona_response *response, const char *error, int cancelled,
                            gpointer data)
{
    GtkWidget *box = data;
    struct case_form *form = g_object_get_data(G_OBJECT(box), "case-form");
    if (gtk_widget_get_root(box) != NULL && form != NULL) {
        if (response != NULL && response->status == SPONA__V1__STATUS__OK &&
            response->directory != NULL)
            refer_fill(form, box, response->directory);
        else
            form_dialog_say(form->dialog, cancelled ? _("Cancelled.")
                                                    : desktop_call_error_text(response, error));
    }
    g_object_unref(box);
}

/* The institutions of the protocol in force, filled when the directory answers. */
static GtkWidget *refer_institutions(struct case_form *form)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
    gtk_box_append(GTK_BOX(box), ui_text(_("Loading the institutions…")));
    form_dialog_widget(form->dialog, _("Institution"), box);
    g_object_set_data(G_OBJECT(box), "case-form", form);
    Spona__V1__DirectoryRequest body = SPONA__V1__DIRECTORY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
    request.directory = &body;
    desktop_call_start(form->context, _("Reading the institutions"), &request,
                       DESKTOP_CALL_READ, NULL, refer_directory, g_object_ref(box));
    return box;
}

void case_dialogs_refer(struct desktop_context *context, const char *case_id,
                        case_dialogs_written *written, gpointer data)
{
    struct case_form *form = case_form_new(context, _("Refer to an institution"), _("_Refer"),
                                           case_id, written, data);
    form->fields[REFER_INSTITUTIONS] = refer_institutions(form);
    form->fields[REFER_MEASURE] = form_dialog_entry(form->dialog, _("_Measure"), NULL);
    form->fields[REFER_DUE] = form_dialog_entry(form->dialog, _("_Due date (YYYY-MM-DD)"), NULL);
    case_form_present(form, refer_submit);
}

static const char *const outcome_kinds[] = { "employed", "in_training", "training_completed",
                                             "self_employed", "left_benefits", "dropped_out",
                                             NULL };
static const char *const outcome_pathways[] = { "integrated_case_management",
                                                "social_entrepreneurship", "other", NULL };

static void outcome_submit(struct form_dialog *dialog, gpointer data)
{
    struct case_form *form = data;
    int kind = ui_radio_active(form->fields[0]);
    Spona__V1__OutcomeRecordRequest body = SPONA__V1__OUTCOME_RECORD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.case_id = form->id;
    body.kind = MUTABLE(outcome_kinds[kind < 0 ? 0 : kind]);
    body.occurred_on = MUTABLE(case_form_text(form, 1));
    body.employer = MUTABLE(case_form_text(form, 2));
    body.contract_type = MUTABLE(case_form_text(form, 3));
    int pathway = ui_radio_active(form->fields[4]);
    if (strcmp(body.kind, "employed") == 0 || strcmp(body.kind, "self_employed") == 0)
        body.pathway = MUTABLE(outcome_pathways[pathway < 0 ? 0 : pathway]);
    body.note = MUTABLE(case_form_text(form, 5));
    request.body_case = SPONA__V1__REQUEST__BODY_OUTCOME_RECORD;
    request.outcome_record = &body;
    case_form_send(form, _("Recording the outcome"), &request);
}

void case_dialogs_outcome(struct desktop_context *context, const char *case_id,
                          case_dialogs_written *written, gpointer data)
{
    struct case_form *form = case_form_new(context, _("Record an outcome"),
                                           _("_Record outcome"), case_id, written, data);
    GDateTime *now = g_date_time_new_now_local();
    char *today = g_date_time_format(now, "%Y-%m-%d");
    const char *kinds[G_N_ELEMENTS(outcome_kinds)], *pathways[G_N_ELEMENTS(outcome_pathways)];
    for (size_t i = 0; i < G_N_ELEMENTS(outcome_kinds); i++)
        kinds[i] = outcome_kinds[i] ? i18n_code_label("outcome_kind", outcome_kinds[i]) : NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(outcome_pathways); i++)
        pathways[i] = outcome_pathways[i] ? i18n_code_label("pathway", outcome_pathways[i])
                                          : NULL;
    form->fields[0] = form_dialog_choice(form->dialog, _("Outcome"), kinds);
    form->fields[1] = form_dialog_entry(form->dialog, _("_Date (YYYY-MM-DD)"), today);
    form->fields[2] = form_dialog_entry(form->dialog, _("_Employer"), NULL);
    form->fields[3] = form_dialog_entry(form->dialog, _("_Contract type"), NULL);
    form->fields[4] = form_dialog_choice(form->dialog, _("Pathway"), pathways);
    form->fields[5] = form_dialog_entry(form->dialog, _("N_ote"), NULL);
    g_free(today);
    g_date_time_unref(now);
    case_form_present(form, outcome_submit);
}

static void answer_submit(struct form_dialog *dialog, gpointer data)
{
    struct case_form *form = data;
    const char *text = case_form_text(form, 0);
    if (text[0] == '\0') {
        form_dialog_say(dialog, form->complete ? _("Say what came of it.") : _("Say why."));
        return;
    }
    spona_request request = SPONA__V1__REQUEST__INIT;
    Spona__V1__ReferralCompleteRequest complete = SPONA__V1__REFERRAL_COMPLETE_REQUEST__INIT;
    Spona__V1__ReferralDeclineRequest decline = SPONA__V1__REFERRAL_DECLINE_REQUEST__INIT;
    if (form->complete) {
        complete.referral_id = form->id;
        complete.expected_version = form->version;
        complete.result = MUTABLE(text);
        request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_COMPLETE;
        request.referral_complete = &complete;
    } else {
        decline.referral_id = form->id;
        decline.expected_version = form->version;
        decline.reason = MUTABLE(text);
        request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_DECLINE;
        request.referral_decline = &decline;
    }
    case_form_send(form, _("Answering the referral"), &request);
}

void case_dialogs_answer_referral(struct desktop_context *context, const char *referral_id,
                                  uint64_t version, int complete,
                                  case_dialogs_written *written, gpointer data)
{
    struct case_form *form = case_form_new(
        context, complete ? _("Complete the referral") : _("Decline the referral"),
        complete ? _("C_omplete") : _("_Decline"), referral_id, written, data);
    form->version = version;
    form->complete = complete;
    form->fields[0] = form_dialog_entry(form->dialog, complete ? _("_Result") : _("_Reason"),
                                        NULL);
    case_form_present(form, answer_submit);
}
