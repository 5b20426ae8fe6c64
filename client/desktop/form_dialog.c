/*
 * Modal forms for writes (see form_dialog.h).
 */
#include "form_dialog.h"

#include "i18n.h"
#include "ui_util.h"

struct form_dialog {
    GtkWidget *window;
    GtkWidget *grid;
    GtkWidget *ok;
    GtkWidget *message;
    int rows;
    form_dialog_submit *submit;
    gpointer data;
    GCancellable *pending;
    int closed; /* the window was destroyed; the struct lives while held */
};

static void form_dialog_free(gpointer data)
{
    struct form_dialog *dialog = data;
    if (dialog->pending != NULL) {
        g_cancellable_cancel(dialog->pending);
        g_object_unref(dialog->pending);
    }
    g_free(dialog);
}

static void form_dialog_on_destroy(GtkWidget *window, gpointer data)
{
    struct form_dialog *dialog = data;
    dialog->closed = 1;
    if (dialog->pending != NULL)
        g_cancellable_cancel(dialog->pending);
}

static void form_dialog_on_ok(GtkButton *button, gpointer data)
{
    struct form_dialog *dialog = data;
    form_dialog_say(dialog, "");
    gtk_widget_set_sensitive(dialog->ok, FALSE);
    dialog->submit(dialog, dialog->data);
}

static void form_dialog_on_cancel(GtkButton *button, gpointer data)
{
    struct form_dialog *dialog = data;
    gtk_window_destroy(GTK_WINDOW(dialog->window));
}

struct form_dialog *form_dialog_new(GtkWindow *parent, const char *title,
                                    const char *ok_mnemonic)
{
    struct form_dialog *dialog = g_new0(struct form_dialog, 1);
    dialog->window = gtk_window_new();
    gtk_window_set_title(GTK_WINDOW(dialog->window), title);
    gtk_window_set_transient_for(GTK_WINDOW(dialog->window), parent);
    gtk_window_set_modal(GTK_WINDOW(dialog->window), TRUE);
    gtk_window_set_default_size(GTK_WINDOW(dialog->window), 480, -1);
    g_object_set_data_full(G_OBJECT(dialog->window), "form-dialog", dialog, form_dialog_free);
    GtkWidget *box = ui_page_box();
    gtk_box_append(GTK_BOX(box), ui_heading(title));
    dialog->grid = gtk_grid_new();
    gtk_grid_set_row_spacing(GTK_GRID(dialog->grid), 6);
    gtk_grid_set_column_spacing(GTK_GRID(dialog->grid), 12);
    gtk_box_append(GTK_BOX(box), dialog->grid);
    dialog->message = ui_text("");
    gtk_widget_add_css_class(dialog->message, "error");
    gtk_box_append(GTK_BOX(box), dialog->message);
    GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_halign(buttons, GTK_ALIGN_END);
    GtkWidget *cancel = ui_button(_("_Cancel"));
    dialog->ok = ui_button(ok_mnemonic);
    gtk_widget_add_css_class(dialog->ok, "suggested-action");
    gtk_box_append(GTK_BOX(buttons), cancel);
    gtk_box_append(GTK_BOX(buttons), dialog->ok);
    gtk_box_append(GTK_BOX(box), buttons);
    gtk_window_set_child(GTK_WINDOW(dialog->window), box);
    gtk_window_set_default_widget(GTK_WINDOW(dialog->window), dialog->ok);
    g_signal_connect(dialog->ok, "clicked", G_CALLBACK(form_dialog_on_ok), dialog);
    g_signal_connect(cancel, "clicked", G_CALLBACK(form_dialog_on_cancel), dialog);
    g_signal_connect(dialog->window, "destroy", G_CALLBACK(form_dialog_on_destroy), dialog);
    /* Escape closes it, as Cancel does */
    GtkEventController *keys = gtk_shortcut_controller_new();
    gtk_shortcut_controller_add_shortcut(
        GTK_SHORTCUT_CONTROLLER(keys),
        gtk_shortcut_new(gtk_keyval_trigger_new(GDK_KEY_Escape, 0),
                         gtk_named_action_new("window.close")));
    gtk_widget_add_controller(dialog->window, keys);
    return dialog;
}

GtkWidget *form_dialog_entry(struct form_dialog *dialog, const char *mnemonic_label,
                             const char *initial)
{
    GtkWidget *entry = ui_grid_entry(GTK_GRID(dialog->grid), dialog->rows++, mnemonic_label,
                                     initial);
    gtk_entry_set_activates_default(GTK_ENTRY(entry), TRUE);
    return entry;
}

GtkWidget *form_dialog_widget(struct form_dialog *dialog, const char *mnemonic_label,
                              GtkWidget *widget)
{
    GtkWidget *name = gtk_label_new_with_mnemonic(mnemonic_label);
    gtk_label_set_xalign(GTK_LABEL(name), 1);
    gtk_label_set_mnemonic_widget(GTK_LABEL(name), widget);
    /* one accessible name, not the label's and its own */
    gtk_accessible_reset_relation(GTK_ACCESSIBLE(widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
    char *plain = ui_plain(mnemonic_label);
    ui_set_accessible_name(widget, plain);
    g_free(plain);
    gtk_widget_set_hexpand(widget, TRUE);
    gtk_grid_attach(GTK_GRID(dialog->grid), name, 0, dialog->rows, 1, 1);
    gtk_grid_attach(GTK_GRID(dialog->grid), widget, 1, dialog->rows, 1, 1);
    dialog->rows++;
    return widget;
}

GtkWidget *form_dialog_choice(struct form_dialog *dialog, const char *label,
                              const char *const *choices)
{
    GtkWidget *name = gtk_label_new(label);
    gtk_label_set_xalign(GTK_LABEL(name), 1);
    gtk_label_set_yalign(GTK_LABEL(name), 0);
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    ui_set_accessible_name(box, label);
    GtkWidget *leader = ui_radio_group(GTK_BOX(box), choices);
    gtk_grid_attach(GTK_GRID(dialog->grid), name, 0, dialog->rows, 1, 1);
    gtk_grid_attach(GTK_GRID(dialog->grid), box, 1, dialog->rows, 1, 1);
    dialog->rows++;
    return leader;
}

void form_dialog_present(struct form_dialog *dialog, form_dialog_submit *submit,
                         gpointer data)
{
    dialog->submit = submit;
    dialog->data = data;
    gtk_window_present(GTK_WINDOW(dialog->window));
}

void form_dialog_set_pending(struct form_dialog *dialog, GCancellable *cancellable)
{
    if (dialog->pending != NULL)
        g_object_unref(dialog->pending);
    dialog->pending = cancellable != NULL ? g_object_ref(cancellable) : NULL;
}

struct form_dialog *form_dialog_hold(struct form_dialog *dialog)
{
    g_object_ref(dialog->window);
    return dialog;
}

void form_dialog_done(struct form_dialog *dialog, const char *error)
{
    form_dialog_set_pending(dialog, NULL);
    GtkWidget *window = dialog->window;
    if (!dialog->closed) {
        if (error == NULL)
            gtk_window_destroy(GTK_WINDOW(window));
        else
            form_dialog_say(dialog, error);
    }
    g_object_unref(window); /* may free dialog: the last use */
}

void form_dialog_say(struct form_dialog *dialog, const char *problem)
{
    gtk_label_set_text(GTK_LABEL(dialog->message), problem);
    ui_set_accessible_name(dialog->message, problem[0] != '\0' ? problem : " ");
    gtk_widget_set_sensitive(dialog->ok, TRUE);
}
