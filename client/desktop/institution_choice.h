/*
 * A choice of institution for the work dialogs (a plan measure's responsible
 * institution, the institution a consent is given to): one toggle button per enabled
 * signatory of the protocol in force (the Directory), by its full name, none chosen until
 * the user chooses unless there is only one. Filled when the directory answers.
 */
#ifndef SPONA_DESKTOP_INSTITUTION_CHOICE_H
#define SPONA_DESKTOP_INSTITUTION_CHOICE_H

#include "desktop_context.h"
#include "form_dialog.h"

enum institution_choice_flags {
    INSTITUTION_CHOICE_PARTNERS = 1,   /* leave out the caller's own institution */
    INSTITUTION_CHOICE_NO_COORDINATOR = 2, /* leave out the coordinator */
};

/* Adds the choice to dialog under mnemonic_label; returns its box. */
GtkWidget *institution_choice_new(struct desktop_context *context, struct form_dialog *dialog,
                                  const char *mnemonic_label, int flags);

/* The chosen institution's code, or NULL (borrowed from box). */
const char *institution_choice_code(GtkWidget *box);

#endif
