/*
 * Register a person and open a case (see register_dialog.h), on form_dialog.c.
 */
#include "register_dialog.h"

#include "desktop_call.h"
#include "form_dialog.h"
#include "i18n.h"

#define MUTABLE(text) ((char *)(uintptr_t)(text))

enum register_field { FIRST, LAST, JMBG, BIRTH, REASON, FIELD_COUNT };

/* The open dialog; freed with its window. */
struct register_form {
    struct desktop_context *context;
    struct form_dialog *dialog;
    GtkWidget *fields[FIELD_COUNT];
    char *person_id; /* once registered */
};

static void register_form_free(gpointer data)
{
    struct register_form *form = data;
    g_free(form->person_id);
    g_free(form);
}

static const char *register_text(struct register_form *form, enum register_field field)
{
    return gtk_editable_get_text(GTK_EDITABLE(form->fields[field]));
}

static void register_opened(const spona_response *response, const char *error, int cancelled,
                            gpointer data)
{
    struct register_form *form = data;
    struct desktop_context *context = form->context;
    if (response != NULL && response->status == SPONA__V1__STATUS__OK &&
        response->case_open != NULL) {
        char *case_id = g_strdup(response->case_open->case_id);
        char *person_id = g_strdup(form->person_id);
        form_dialog_done(form->dialog, NULL);
        context->open(context, case_id, person_id);
        g_free(case_id);
        g_free(person_id);
        return;
    }
    char *message = g_strdup_printf(_("The person was registered, but the case was not "
                                      "opened: %s"),
                                    cancelled ? _("cancelled")
                                              : desktop_call_error_text(response, error));
    form_dialog_done(form->dialog, message);
    g_free(message);
}

static void register_created(const spona_response *response, const char *error, int cancelled,
                             gpointer data)
{
    struct register_form *form = data;
    if (response == NULL || response->status != SPONA__V1__STATUS__OK ||
        response->person_create == NULL) {
        form_dialog_done(form->dialog, cancelled ? _("Cancelled: look the person up before "
                                                     "trying again.")
                                                 : desktop_call_error_text(response, error));
        return;
    }
    g_free(form->person_id);
    form->person_id = g_strdup(response->person_create->person_id);
    Spona__V1__CaseOpenRequest body = SPONA__V1__CASE_OPEN_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.person_id = form->person_id;
    body.reason = MUTABLE(register_text(form, REASON));
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_OPEN;
    request.case_open = &body;
    /* the hold taken at submit carries over to this second call */
    form_dialog_set_pending(form->dialog,
                            desktop_call_start(form->context, _("Opening the case"), &request,
                                               DESKTOP_CALL_WRITE, NULL, register_opened,
                                               form));
}

static void register_submit(struct form_dialog *dialog, gpointer data)
{
    struct register_form *form = data;
    if (form->person_id != NULL) { /* registered before: only the case is missing */
        form_dialog_hold(dialog);
        spona_response done = SPONA__V1__RESPONSE__INIT;
        Spona__V1__PersonCreateResponse created = SPONA__V1__PERSON_CREATE_RESPONSE__INIT;
        created.person_id = form->person_id;
        done.body_case = SPONA__V1__RESPONSE__BODY_PERSON_CREATE;
        done.person_create = &created;
        register_created(&done, NULL, 0, form);
        return;
    }
    if (register_text(form, FIRST)[0] == '\0' || register_text(form, LAST)[0] == '\0') {
        form_dialog_say(dialog, _("The first and the last name are required."));
        return;
    }
    static const char *const names[] = { "first_name", "last_name", "jmbg", "birth_date" };
    Spona__V1__PersonField fields[4], *pointers[4];
    size_t count = 0;
    for (int i = FIRST; i <= BIRTH; i++) {
        if (register_text(form, i)[0] == '\0')
            continue;
        spona__v1__person_field__init(&fields[count]);
        fields[count].name = MUTABLE(names[i]);
        fields[count].value = MUTABLE(register_text(form, i));
        pointers[count] = &fields[count];
        count++;
    }
    Spona__V1__PersonCreateRequest body = SPONA__V1__PERSON_CREATE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.n_fields = count;
    body.fields = pointers;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_CREATE;
    request.person_create = &body;
    form_dialog_hold(dialog);
    form_dialog_set_pending(dialog, desktop_call_start(form->context, _("Registering the person"),
                                                       &request, DESKTOP_CALL_WRITE, NULL,
                                                       register_created, form));
}

void register_dialog_open(struct desktop_context *context)
{
    struct register_form *form = g_new0(struct register_form, 1);
    form->context = context;
    form->dialog = form_dialog_new(context->window, _("Register a person and open a case"),
                                   _("_Register and open case"));
    form->fields[FIRST] = form_dialog_entry(form->dialog, _("_First name"), NULL);
    form->fields[LAST] = form_dialog_entry(form->dialog, _("_Last name"), NULL);
    form->fields[JMBG] = form_dialog_entry(form->dialog, _("_JMBG (13 digits)"), NULL);
    form->fields[BIRTH] = form_dialog_entry(form->dialog, _("_Birth date (YYYY-MM-DD)"), NULL);
    form->fields[REASON] = form_dialog_entry(form->dialog, _("_Reason for the case"), NULL);
    GtkRoot *root = gtk_widget_get_root(form->fields[FIRST]);
    g_object_set_data_full(G_OBJECT(root), "register-form", form, register_form_free);
    form_dialog_present(form->dialog, register_submit, form);
    gtk_widget_grab_focus(form->fields[FIRST]);
}
