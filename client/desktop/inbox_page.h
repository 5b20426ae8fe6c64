/*
 * The inbox: referrals addressed to the caller's institution, newest first, each with
 * Accept, Decline, Complete (sensitive as its status allows) and Open case. Reloads
 * after every answer and with Refresh (F5).
 */
#ifndef SPONA_DESKTOP_INBOX_PAGE_H
#define SPONA_DESKTOP_INBOX_PAGE_H

#include "desktop_context.h"

GtkWidget *inbox_page_new(struct desktop_context *context);

/* Loads the inbox again. */
void inbox_page_reload(GtkWidget *page);

#endif
