/*
 * Small widget helpers (see ui_util.h).
 */
#include "ui_util.h"

void ui_set_accessible_name(GtkWidget *widget, const char *name)
{
    gtk_accessible_update_property(GTK_ACCESSIBLE(widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                   -1);
}

char *ui_plain(const char *mnemonic_label)
{
    char *plain = g_strdup(mnemonic_label);
    char *to = plain;
    for (const char *from = mnemonic_label; *from != '\0'; from++)
        if (*from != '_')
            *to++ = *from;
    *to = '\0';
    return plain;
}

GtkWidget *ui_button(const char *mnemonic_label)
{
    GtkWidget *button = gtk_button_new_with_mnemonic(mnemonic_label);
    char *plain = ui_plain(mnemonic_label);
    gtk_accessible_reset_relation(GTK_ACCESSIBLE(button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
    ui_set_accessible_name(button, plain);
    g_free(plain);
    return button;
}

GtkWidget *ui_grid_entry(GtkGrid *grid, int row, const char *mnemonic_label,
                         const char *initial)
{
    GtkWidget *label = gtk_label_new_with_mnemonic(mnemonic_label);
    gtk_label_set_xalign(GTK_LABEL(label), 1);
    GtkWidget *entry = gtk_entry_new();
    gtk_widget_set_hexpand(entry, TRUE);
    if (initial != NULL)
        gtk_editable_set_text(GTK_EDITABLE(entry), initial);
    /* the label names the entry (its labelled-by relation): no second name */
    gtk_label_set_mnemonic_widget(GTK_LABEL(label), entry);
    gtk_grid_attach(grid, label, 0, row, 1, 1);
    gtk_grid_attach(grid, entry, 1, row, 1, 1);
    return entry;
}

GtkWidget *ui_text(const char *text)
{
    GtkWidget *label = gtk_label_new(text);
    gtk_label_set_xalign(GTK_LABEL(label), 0);
    gtk_label_set_wrap(GTK_LABEL(label), TRUE);
    gtk_label_set_selectable(GTK_LABEL(label), TRUE);
    ui_set_accessible_name(label, text);
    return label;
}

GtkWidget *ui_heading(const char *text)
{
    GtkWidget *label = ui_text(text);
    gtk_widget_add_css_class(label, "heading");
    gtk_widget_set_margin_top(label, 12);
    return label;
}

GtkWidget *ui_list_row(const char *text)
{
    GtkWidget *row = gtk_list_box_row_new();
    GtkWidget *label = gtk_label_new(text);
    gtk_label_set_xalign(GTK_LABEL(label), 0);
    gtk_label_set_wrap(GTK_LABEL(label), TRUE);
    gtk_widget_set_margin_start(label, 6);
    gtk_widget_set_margin_top(label, 4);
    gtk_widget_set_margin_bottom(label, 4);
    gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), label);
    ui_set_accessible_name(row, text);
    return row;
}

void ui_notebook_page(GtkNotebook *notebook, GtkWidget *child, const char *mnemonic_label)
{
    GtkWidget *label = gtk_label_new_with_mnemonic(mnemonic_label);
    gtk_notebook_append_page(notebook, child, label);
    GtkWidget *tab = gtk_widget_get_parent(label); /* the notebook's tab widget */
    if (tab != NULL) {
        char *plain = ui_plain(mnemonic_label);
        ui_set_accessible_name(tab, plain);
        g_free(plain);
    }
}

void ui_box_clear(GtkBox *box)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child(GTK_WIDGET(box))) != NULL)
        gtk_box_remove(box, child);
}

GtkWidget *ui_page_box(void)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    gtk_widget_set_margin_start(box, 12);
    gtk_widget_set_margin_end(box, 12);
    gtk_widget_set_margin_top(box, 12);
    gtk_widget_set_margin_bottom(box, 12);
    return box;
}

GtkWidget *ui_radio_group(GtkBox *box, const char *const *labels)
{
    /* toggle buttons in a group: one active, as radio buttons, and each a button to
       assistive technology (with its press action) */
    GtkWidget *leader = NULL;
    GPtrArray *buttons = g_ptr_array_new();
    gtk_widget_add_css_class(GTK_WIDGET(box), "linked");
    for (size_t i = 0; labels[i] != NULL; i++) {
        GtkWidget *button = gtk_toggle_button_new_with_label(labels[i]);
        if (leader == NULL)
            leader = button;
        else
            gtk_toggle_button_set_group(GTK_TOGGLE_BUTTON(button), GTK_TOGGLE_BUTTON(leader));
        g_ptr_array_add(buttons, button);
        gtk_box_append(box, button);
    }
    gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(leader), TRUE);
    g_object_set_data_full(G_OBJECT(leader), "ui-radio-buttons", buttons,
                           (GDestroyNotify)g_ptr_array_unref);
    return leader;
}

int ui_radio_active(GtkWidget *leader)
{
    GPtrArray *buttons = g_object_get_data(G_OBJECT(leader), "ui-radio-buttons");
    for (guint i = 0; buttons != NULL && i < buttons->len; i++)
        if (gtk_toggle_button_get_active(buttons->pdata[i]))
            return (int)i;
    return -1;
}
