/*
 * The calls of the work dialogs (record an assessment, edit the plan, add a follow-up,
 * record or withdraw consent), on desktop_call.c: a write sent from a form dialog, which
 * closes it on success (and tells the page) or shows the server's refusal keeping what
 * was typed; and a read that fills part of a dialog or tab, whose answer is dropped when
 * that part is no longer in a window.
 */
#ifndef SPONA_DESKTOP_WORK_CALL_H
#define SPONA_DESKTOP_WORK_CALL_H

#include "desktop_call.h"
#include "desktop_context.h"
#include "form_dialog.h"

typedef void work_call_written(gpointer data);

/* Sends request (a write) for dialog; on success calls written(data) (may be NULL) and
   closes the dialog, or with keep_open clears it for the next one. */
void work_call_send(struct desktop_context *context, struct form_dialog *dialog,
                    const char *what, const spona_request *request, int keep_open,
                    work_call_written *written, gpointer data);

/* The answer to a read for anchor, called only while anchor is still in a window. */
typedef void work_call_loaded(GtkWidget *anchor, const spona_response *response,
                              const char *error, int cancelled);

/* Sends request (kind: a read, or a write such as a withdrawal from a list's row);
   loaded(anchor, ...) gets the answer. */
void work_call_load(struct desktop_context *context, const char *what,
                    const spona_request *request, enum desktop_call_kind kind,
                    GtkWidget *anchor, work_call_loaded *loaded);

/* 1 when response is an OK answer. */
int work_call_ok(const spona_response *response);

/* Today as YYYY-MM-DD (caller frees). */
char *work_call_today(void);

#endif
