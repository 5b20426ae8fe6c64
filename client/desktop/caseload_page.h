/*
 * The seam for the caseload lists of issue 13 (my cases, my team's, filters, overdue
 * first; proto tags 110-119, on the caseload branch). Until those requests are on main
 * the page says so and points to search and the inbox; when they land, this file lists
 * the cases and a row opens its case with context->open(context, case_id, NULL).
 */
#ifndef SPONA_DESKTOP_CASELOAD_PAGE_H
#define SPONA_DESKTOP_CASELOAD_PAGE_H

#include "desktop_context.h"

GtkWidget *caseload_page_new(struct desktop_context *context);

#endif
