/*
 * The busy bar (see busy_bar.h): a revealer holding a spinner, a label and Cancel;
 * the pending calls' cancellables in an array.
 */
#include "busy_bar.h"

#include "i18n.h"
#include "ui_util.h"

struct busy_bar {
    GtkWidget *revealer;
    GtkWidget *spinner;
    GtkWidget *label;
    GtkWidget *cancel;
    GPtrArray *pending; /* GCancellable refs */
};

static void busy_bar_on_cancel(GtkButton *button, gpointer data)
{
    busy_bar_cancel_all(data);
}

static void busy_bar_destroy(gpointer data)
{
    struct busy_bar *bar = data;
    g_ptr_array_unref(bar->pending);
    g_free(bar);
}

struct busy_bar *busy_bar_new(void)
{
    struct busy_bar *bar = g_new0(struct busy_bar, 1);
    bar->pending = g_ptr_array_new_with_free_func(g_object_unref);
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
    gtk_widget_set_margin_start(box, 12);
    gtk_widget_set_margin_end(box, 12);
    gtk_widget_set_margin_top(box, 6);
    gtk_widget_set_margin_bottom(box, 6);
    bar->spinner = gtk_spinner_new();
    gtk_accessible_update_property(GTK_ACCESSIBLE(bar->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                   _("Working"), -1);
    bar->label = gtk_label_new("");
    gtk_widget_set_hexpand(bar->label, TRUE);
    gtk_label_set_xalign(GTK_LABEL(bar->label), 0);
    bar->cancel = ui_button(_("_Cancel"));
    g_signal_connect(bar->cancel, "clicked", G_CALLBACK(busy_bar_on_cancel), bar);
    gtk_box_append(GTK_BOX(box), bar->spinner);
    gtk_box_append(GTK_BOX(box), bar->label);
    gtk_box_append(GTK_BOX(box), bar->cancel);
    bar->revealer = gtk_revealer_new();
    gtk_revealer_set_child(GTK_REVEALER(bar->revealer), box);
    gtk_revealer_set_reveal_child(GTK_REVEALER(bar->revealer), FALSE);
    g_object_set_data_full(G_OBJECT(bar->revealer), "busy-bar", bar, busy_bar_destroy);
    return bar;
}

GtkWidget *busy_bar_widget(struct busy_bar *bar)
{
    return bar->revealer;
}

void busy_bar_relabel(struct busy_bar *bar)
{
    gtk_accessible_update_property(GTK_ACCESSIBLE(bar->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                   _("Working"), -1);
    gtk_button_set_label(GTK_BUTTON(bar->cancel), _("_Cancel"));
    char *plain = ui_plain(_("_Cancel"));
    ui_set_accessible_name(bar->cancel, plain);
    g_free(plain);
}

/* Shows or hides the bar as calls are pending or not. */
static void busy_bar_update(struct busy_bar *bar)
{
    gboolean busy = bar->pending->len > 0;
    gtk_revealer_set_reveal_child(GTK_REVEALER(bar->revealer), busy);
    gtk_widget_set_sensitive(bar->cancel, busy); /* what assistive technology reads */
    if (busy)
        gtk_spinner_start(GTK_SPINNER(bar->spinner));
    else
        gtk_spinner_stop(GTK_SPINNER(bar->spinner));
}

void busy_bar_begin(struct busy_bar *bar, const char *what, GCancellable *cancellable)
{
    g_ptr_array_add(bar->pending, g_object_ref(cancellable));
    gtk_label_set_text(GTK_LABEL(bar->label), what);
    busy_bar_update(bar);
}

void busy_bar_end(struct busy_bar *bar, GCancellable *cancellable)
{
    g_ptr_array_remove(bar->pending, cancellable);
    busy_bar_update(bar);
}

void busy_bar_cancel_all(struct busy_bar *bar)
{
    /* a copy: cancelling may end calls, which removes them from the array */
    GPtrArray *copy = g_ptr_array_new_with_free_func(g_object_unref);
    for (guint i = 0; i < bar->pending->len; i++)
        g_ptr_array_add(copy, g_object_ref(bar->pending->pdata[i]));
    for (guint i = 0; i < copy->len; i++)
        g_cancellable_cancel(copy->pdata[i]);
    g_ptr_array_unref(copy);
}

guint busy_bar_pending(struct busy_bar *bar)
{
    return bar->pending->len;
}
