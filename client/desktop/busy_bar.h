/*
 * The busy bar under the header (docs/desktop.md, "Threading"): while any call is
 * pending it shows a spinner, what is being done and a Cancel button (Escape too), which
 * cancels every pending call. Main loop only.
 */
#ifndef SPONA_DESKTOP_BUSY_BAR_H
#define SPONA_DESKTOP_BUSY_BAR_H

#include <gio/gio.h>
#include <gtk/gtk.h>

struct busy_bar;

/* A new bar; its widget is busy_bar_widget. Freed with the widget. */
struct busy_bar *busy_bar_new(void);

GtkWidget *busy_bar_widget(struct busy_bar *bar);

/* Says "Working" and "Cancel" again in the language now in use. */
void busy_bar_relabel(struct busy_bar *bar);

/* A call started: shows what (a short text) until busy_bar_end for the same cancellable. */
void busy_bar_begin(struct busy_bar *bar, const char *what, GCancellable *cancellable);

/* The call ended (answered, failed or cancelled). */
void busy_bar_end(struct busy_bar *bar, GCancellable *cancellable);

/* Cancels every pending call. */
void busy_bar_cancel_all(struct busy_bar *bar);

/* How many calls are pending. */
guint busy_bar_pending(struct busy_bar *bar);

#endif
