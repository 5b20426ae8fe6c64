/*
 * What every page of spona-desktop shares: the session, the busy bar, the window, who
 * is signed in, and what to do when the session ends. Made by main.c, borrowed by the
 * pages. A plain struct: no functions of its own.
 */
#ifndef SPONA_DESKTOP_CONTEXT_H
#define SPONA_DESKTOP_CONTEXT_H

#include <gtk/gtk.h>

#include "envelope.h"

struct desktop_session;
struct busy_bar;
struct desktop_context;

/* Called on the main loop: the server said the session is over (reason for the user). */
typedef void desktop_session_ended(struct desktop_context *context, const char *reason);
/* Called on the main loop: signed in (or resumed) as who. */
typedef void desktop_signed_in(struct desktop_context *context,
                               const Spona__V1__WhoAmIResponse *who);
/* Called on the main loop: show a case (case_id) or a person without a case. */
typedef void desktop_open(struct desktop_context *context, const char *case_id,
                          const char *person_id);
/* Called on the main loop: back to the work page (search, inbox). */
typedef void desktop_show_work(struct desktop_context *context);

struct desktop_context {
    struct desktop_session *session;
    struct busy_bar *busy;
    GtkWindow *window;
    desktop_session_ended *session_ended;
    desktop_signed_in *signed_in;
    desktop_open *open;
    desktop_show_work *show_work;
    /* who is signed in (owned; empty strings before sign-in) */
    char *username;
    char *full_name;
    char *institution_code;
    char *institution_name;
    char *institution_role;
};

#endif
