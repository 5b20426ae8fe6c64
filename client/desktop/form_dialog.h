/*
 * A small modal form for one write (add a note, refer, record an outcome, decline or
 * complete a referral): labelled entries and radio groups, OK and Cancel, and a line for
 * the server's refusal. OK calls the page's submit, which starts the call and later says
 * form_dialog_done: closed on success, kept open with what was typed and the error shown
 * otherwise. Escape or Cancel closes it (and cancels a pending call).
 */
#ifndef SPONA_DESKTOP_FORM_DIALOG_H
#define SPONA_DESKTOP_FORM_DIALOG_H

#include <gtk/gtk.h>

struct form_dialog;

typedef void form_dialog_submit(struct form_dialog *dialog, gpointer data);

struct form_dialog *form_dialog_new(GtkWindow *parent, const char *title,
                                    const char *ok_mnemonic);

/* Adds a labelled entry; returns it. */
GtkWidget *form_dialog_entry(struct form_dialog *dialog, const char *mnemonic_label,
                             const char *initial);

/* Adds widget (a box of choices filled later, ...) under a (mnemonic) label naming it;
   returns widget. */
GtkWidget *form_dialog_widget(struct form_dialog *dialog, const char *mnemonic_label,
                              GtkWidget *widget);

/* Adds a labelled radio group of choices (NULL-ended); returns its leader (ui_radio_active). */
GtkWidget *form_dialog_choice(struct form_dialog *dialog, const char *label,
                              const char *const *choices);

/* Shows the dialog; OK calls submit(dialog, data). */
void form_dialog_present(struct form_dialog *dialog, form_dialog_submit *submit,
                         gpointer data);

/* The call's cancellable while one is pending (set by the page; may be NULL). */
void form_dialog_set_pending(struct form_dialog *dialog, GCancellable *cancellable);

/*
 * Keeps the dialog's memory alive for a call's callback even if the window is closed
 * meanwhile; every hold is ended by one form_dialog_done. Returns dialog.
 */
struct form_dialog *form_dialog_hold(struct form_dialog *dialog);

/* A held call ended: error NULL closes the dialog, otherwise shows error (nothing when
   the dialog was closed meanwhile); ends the hold. */
void form_dialog_done(struct form_dialog *dialog, const char *error);

/* Shows a problem with the input without a call (e.g. an empty required field). */
void form_dialog_say(struct form_dialog *dialog, const char *problem);

#endif
