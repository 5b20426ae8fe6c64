/*
 * The protocol in force as a document for its signatories (docs/documents.md): title,
 * municipality, version and dates, the signatories with their roles, the priority
 * groups, every clause in words of the language in use, the approvals, and a
 * signature line per signatory. From protocol_show and directory.
 */
#ifndef SPONA_PROTOCOL_PDF_H
#define SPONA_PROTOCOL_PDF_H

#include <stddef.h>

#include "doc_labels.h"
#include "spona.pb-c.h"

/* Writes the protocol to path: 0, or -1 with a message in err (no file left). */
int protocol_pdf_write(const Spona__V1__ProtocolShowResponse *protocol,
                       struct doc_labels *labels, const char *path, char *err,
                       size_t err_size);

#endif
