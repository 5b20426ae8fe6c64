/*
 * Small widget helpers of spona-desktop, so every control gets an accessible name
 * (docs/desktop.md, "Accessibility"): labelled entries, text rows whose accessible name
 * is their whole text, headings, and emptying a box before it is filled again.
 */
#ifndef SPONA_DESKTOP_UI_UTIL_H
#define SPONA_DESKTOP_UI_UTIL_H

#include <gtk/gtk.h>

/* Sets the accessible name of widget. */
void ui_set_accessible_name(GtkWidget *widget, const char *name);

/*
 * A button with a mnemonic label whose accessible name is the label without the
 * underscore (GTK 4.8 alone would name it "_Label Label").
 */
GtkWidget *ui_button(const char *mnemonic_label);

/* text without its mnemonic underscores (caller frees). */
char *ui_plain(const char *mnemonic_label);

/*
 * Appends to grid (at row) a mnemonic label and an entry it names (the label's
 * mnemonic widget and the entry's accessible name). Returns the entry.
 */
GtkWidget *ui_grid_entry(GtkGrid *grid, int row, const char *mnemonic_label,
                         const char *initial);

/* A selectable, wrapping label with text, its accessible name the text itself. */
GtkWidget *ui_text(const char *text);

/* A bold heading label. */
GtkWidget *ui_heading(const char *text);

/* A list box row with text (the row's accessible name is the text). */
GtkWidget *ui_list_row(const char *text);

/* Appends child to notebook under a tab named by mnemonic_label (the tab's accessible
   name too). */
void ui_notebook_page(GtkNotebook *notebook, GtkWidget *child, const char *mnemonic_label);

/* Removes every child of box. */
void ui_box_clear(GtkBox *box);

/* A vertical box with the usual margins. */
GtkWidget *ui_page_box(void);

/* A radio group of toggle buttons, one per label (NULL-ended); the first is active.
   The buttons are appended to box; returns the first (the group's leader). */
GtkWidget *ui_radio_group(GtkBox *box, const char *const *labels);

/* The index of the active button of a group made by ui_radio_group (-1: none). */
int ui_radio_active(GtkWidget *leader);

#endif
