/*
 * What the printed documents fetch (docs/documents.md): one session connection for the
 * document's own requests, and with it whoami (the municipality's name, the case
 * manager) and directory (the protocol's names per language) for doc_labels.h.
 */
#ifndef SPONA_DOC_SESSION_H
#define SPONA_DOC_SESSION_H

#include "doc_labels.h"
#include "settings.h"
#include "spona_client.h"

struct doc_session {
    struct spona_client *client;
    spona_response *whoami;
    spona_response *directory;
    struct doc_labels labels;
};

/* Resumes the session and fetches whoami and directory: the exit code (0: open). */
int doc_session_open(const struct settings *settings, struct doc_session *session);

/* One request on the session: the exit code, 0 with *response (caller frees). */
int doc_session_call(struct doc_session *session, const struct settings *settings,
                     spona_request *request, spona_response **response);

void doc_session_close(struct doc_session *session);

/* Today as "dd.mm.yyyy." in bs/hr/sr, "YYYY-MM-DD" in English, and as "YYYY-MM-DD". */
void doc_session_today(char *local, size_t local_size, char *iso, size_t iso_size);

#endif
