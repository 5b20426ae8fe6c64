/*
 * One request to the server off the main thread (docs/desktop.md, "Threading"): the
 * request is packed on the main thread, a GTask sends it on the session's connection in
 * GLib's thread pool, and the answer comes back on the main loop. The busy bar shows it
 * while pending; Cancel (or the caller's cancellable) ends the wait at once and drops the
 * answer. A write gets an idempotency key, so the session's retry after a lost
 * connection applies it once. An UNAUTHENTICATED answer also tells the context that the
 * session is over.
 */
#ifndef SPONA_DESKTOP_CALL_H
#define SPONA_DESKTOP_CALL_H

#include <gio/gio.h>

#include "desktop_context.h"
#include "envelope.h"

/*
 * The outcome, on the main loop. response is the server's answer (status OK or not;
 * borrowed: freed after the callback returns), or NULL with error set (no connection,
 * or "cancelled" with cancelled 1).
 */
typedef void desktop_call_done(const spona_response *response, const char *error,
                               int cancelled, gpointer user_data);

enum desktop_call_kind {
    DESKTOP_CALL_READ,
    DESKTOP_CALL_WRITE, /* gets an idempotency key */
};

/*
 * Starts request (packed at once: the caller's structs may go away when this returns).
 * what is the busy bar's text. cancellable may be NULL (a new one); the one used is
 * returned (borrowed: ref it to keep it, e.g. to cancel a search when the next starts).
 */
GCancellable *desktop_call_start(struct desktop_context *context, const char *what,
                                 const spona_request *request, enum desktop_call_kind kind,
                                 GCancellable *cancellable, desktop_call_done *done,
                                 gpointer user_data);

/* Resumes the session stored in the session file, the same way; response NULL and error
   empty ("") when there is none. */
void desktop_call_resume_stored(struct desktop_context *context, desktop_call_done *done,
                                gpointer user_data);

/* The text to show for a failed call: the server's message or the transport's error. */
const char *desktop_call_error_text(const spona_response *response, const char *error);

#endif
