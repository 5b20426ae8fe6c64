/*
 * Names in the printed documents (docs/documents.md): the municipality's name (whoami),
 * the protocol's institutions and priority groups as the protocol names them in the
 * language in use (directory: `names` per language of docs/policy.md), Serbian Cyrillic
 * transliterated from the Latin name when the protocol gives no Cyrillic one. A code
 * without a name stays the code.
 */
#ifndef SPONA_DOC_LABELS_H
#define SPONA_DOC_LABELS_H

#include "spona.pb-c.h"

#define DOC_LABELS_SLOTS 8
#define DOC_LABELS_TEXT 1024

struct doc_labels {
    const Spona__V1__WhoAmIResponse *whoami;       /* borrowed; NULL: unknown */
    const Spona__V1__DirectoryResponse *directory; /* borrowed; NULL: unknown */
    char slots[DOC_LABELS_SLOTS][DOC_LABELS_TEXT]; /* the last few answers */
    int next;
};

/*
 * text in the language in use: unchanged, but transliterated to Cyrillic in sr-Cyrl
 * (names and text people typed in Latin). The answer lives until DOC_LABELS_SLOTS
 * more answers of these functions.
 */
const char *doc_labels_text(struct doc_labels *labels, const char *text);

/* The municipality's name (its code when whoami is unknown). */
const char *doc_labels_municipality(struct doc_labels *labels);

/* The name of a priority group / an institution of the protocol, or the code itself. */
const char *doc_labels_group(struct doc_labels *labels, const char *code);
const char *doc_labels_institution(struct doc_labels *labels, const char *code);

#endif
