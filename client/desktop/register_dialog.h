/*
 * Register a person and open a case (the lead agency's intake): first and last name,
 * JMBG and birth date (optional), and the reason for the case. Sends PersonCreate, then
 * CaseOpen for the new person, both off the main thread; on success opens the case page
 * (context->open). If the person was registered but the case not opened, says so: the
 * person can then be found by search.
 */
#ifndef SPONA_DESKTOP_REGISTER_DIALOG_H
#define SPONA_DESKTOP_REGISTER_DIALOG_H

#include "desktop_context.h"

void register_dialog_open(struct desktop_context *context);

#endif
