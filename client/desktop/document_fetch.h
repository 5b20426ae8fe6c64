/*
 * What a printed document needs, fetched for spona-desktop (docs/desktop.md,
 * "Documents"): whoami and directory (the names, doc_labels.h), then the plan (case_get,
 * plan_get), the letter (disclosures, person_get) or nothing more for a report already
 * answered; each request off the main thread (desktop_call.c), one after another. When
 * all is there the document is drawn as recorded pages (doc_pages.h) by the same code as
 * the CLI's PDF, in the language in use.
 */
#ifndef SPONA_DESKTOP_DOCUMENT_FETCH_H
#define SPONA_DESKTOP_DOCUMENT_FETCH_H

#include "desktop_context.h"
#include "doc_pages.h"

enum document_kind {
    DOCUMENT_PLAN,   /* id: a case */
    DOCUMENT_LETTER, /* id: a person */
    DOCUMENT_REPORT, /* the report given */
};

/*
 * The outcome on the main loop: pages (the callee owns them: doc_pages_clear and
 * g_free), or NULL with error (and cancelled 1 when the user cancelled).
 */
typedef void document_fetch_done(struct doc_pages *pages, const char *error, int cancelled,
                                 gpointer data);

/* Starts fetching and drawing a document of kind; report (copied) for DOCUMENT_REPORT. */
void document_fetch(struct desktop_context *context, enum document_kind kind, const char *id,
                    const Spona__V1__ReportResponse *report, document_fetch_done *done,
                    gpointer data);

/* Today as the documents write it: "dd.mm.yyyy." (bs, hr, sr) or YYYY-MM-DD; and ISO. */
void document_fetch_today(char *local, size_t local_size, char *iso, size_t iso_size);

#endif
