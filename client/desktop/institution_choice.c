/*
 * A choice of institution from the directory (see institution_choice.h).
 */
#include "institution_choice.h"

#include <string.h>

#include "i18n.h"
#include "ui_util.h"
#include "work_call.h"

/* The box's data: what to leave out and where to say a problem. */
struct institution_choice {
    struct desktop_context *context;
    struct form_dialog *dialog; /* valid while the box is in its window */
    int flags;
};

const char *institution_choice_code(GtkWidget *box)
{
    GPtrArray *codes = g_object_get_data(G_OBJECT(box), "institution-codes");
    GtkWidget *leader = g_object_get_data(G_OBJECT(box), "institution-leader");
    int chosen = leader != NULL ? ui_radio_active(leader) : -1;
    if (codes == NULL || chosen < 0 || (guint)chosen >= codes->len)
        return NULL;
    return codes->pdata[chosen];
}

static int institution_choice_takes(const struct institution_choice *choice,
                                    const Spona__V1__DirectoryEntry *entry)
{
    if (!entry->enabled)
        return 0;
    if ((choice->flags & INSTITUTION_CHOICE_PARTNERS) &&
        g_strcmp0(entry->institution_code, choice->context->institution_code) == 0)
        return 0;
    return !(choice->flags & INSTITUTION_CHOICE_NO_COORDINATOR) ||
           g_strcmp0(entry->role, "coordinator") != 0;
}

static void institution_choice_fill(GtkWidget *box, const Spona__V1__DirectoryResponse *answer)
{
    struct institution_choice *choice = g_object_get_data(G_OBJECT(box), "institution-choice");
    ui_box_clear(GTK_BOX(box));
    GPtrArray *codes = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *names = g_ptr_array_new();
    for (size_t i = 0; i < answer->n_institutions; i++) {
        const Spona__V1__DirectoryEntry *entry = answer->institutions[i];
        if (!institution_choice_takes(choice, entry))
            continue;
        g_ptr_array_add(codes, g_strdup(entry->institution_code));
        g_ptr_array_add(names, entry->name[0] != '\0' ? entry->name : entry->institution_code);
    }
    g_ptr_array_add(names, NULL);
    g_object_set_data_full(G_OBJECT(box), "institution-codes", codes,
                           (GDestroyNotify)g_ptr_array_unref);
    if (codes->len == 0) {
        form_dialog_say(choice->dialog, _("The protocol in force names no institution to "
                                          "choose."));
    } else {
        GtkWidget *leader = ui_radio_group(GTK_BOX(box), (const char *const *)names->pdata);
        gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(leader), codes->len == 1);
        g_object_set_data(G_OBJECT(box), "institution-leader", leader);
    }
    g_ptr_array_unref(names);
}

static void institution_choice_loaded(GtkWidget *box, const spona_response *response,
                                      const char *error, int cancelled)
{
    struct institution_choice *choice = g_object_get_data(G_OBJECT(box), "institution-choice");
    if (work_call_ok(response) && response->directory != NULL)
        institution_choice_fill(box, response->directory);
    else
        form_dialog_say(choice->dialog, cancelled ? _("Cancelled.")
                                                  : desktop_call_error_text(response, error));
}

GtkWidget *institution_choice_new(struct desktop_context *context, struct form_dialog *dialog,
                                  const char *mnemonic_label, int flags)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
    gtk_box_append(GTK_BOX(box), ui_text(_("Loading the institutions…")));
    form_dialog_widget(dialog, mnemonic_label, box);
    struct institution_choice *choice = g_new0(struct institution_choice, 1);
    choice->context = context;
    choice->dialog = dialog;
    choice->flags = flags;
    g_object_set_data_full(G_OBJECT(box), "institution-choice", choice, g_free);
    Spona__V1__DirectoryRequest body = SPONA__V1__DIRECTORY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
    request.directory = &body;
    work_call_load(context, _("Reading the institutions"), &request, DESKTOP_CALL_READ,
                   box, institution_choice_loaded);
    return box;
}
