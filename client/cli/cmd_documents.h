/*
 * The printed documents' commands (docs/documents.md): `plan print --pdf FILE`,
 * `protocol print --pdf FILE`, `disclosures --letter FILE` and the names that
 * `report --pdf` prints. Each fetches what it needs on one session and writes a PDF.
 */
#ifndef SPONA_CMD_DOCUMENTS_H
#define SPONA_CMD_DOCUMENTS_H

#include <stdint.h>

#include "settings.h"
#include "spona.pb-c.h"

/* The exit code of writing the plan of case_id (version 0: latest) to path. */
int documents_plan(const struct settings *settings, char *case_id, uint32_t version,
                   const char *path);

/* The exit code of writing the protocol in force to path. */
int documents_protocol(const struct settings *settings, const char *path);

/* The exit code of writing the letter about person_id's disclosures to path. */
int documents_letter(const struct settings *settings, char *person_id, const char *path);

/* The exit code of writing report with the municipality's and the groups' names to path. */
int documents_report(const struct settings *settings, const Spona__V1__ReportResponse *report,
                     const char *path);

#endif
