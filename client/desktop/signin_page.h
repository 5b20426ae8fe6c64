/*
 * The sign-in page: the server and the installation's certificate and key as the config
 * file names them (shown, not editable: they are the installation's), the user name
 * (from the config, editable) and the password. Sign in sends Login off the main thread;
 * success calls context->signed_in, a refusal shows the server's message.
 */
#ifndef SPONA_DESKTOP_SIGNIN_PAGE_H
#define SPONA_DESKTOP_SIGNIN_PAGE_H

#include "desktop_context.h"

/* The page's widget. */
GtkWidget *signin_page_new(struct desktop_context *context);

/* Shows message (e.g. why the session ended) and clears the password. */
void signin_page_say(GtkWidget *page, const char *message);

#endif
