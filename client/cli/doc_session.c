/*
 * The printed documents' requests (doc_session.h): one resumed session, whoami and
 * directory first, then the document's own requests on the same connection.
 */
#include "doc_session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "envelope.h"
#include "i18n.h"
#include "output.h"
#include "remote.h"

int doc_session_open(const struct settings *settings, struct doc_session *session)
{
    memset(session, 0, sizeof(*session));
    int token_rejected = 0;
    int code = remote_resume(settings, &session->client, &token_rejected);
    if (code != OUTPUT_EXIT_OK)
        return code;
    Spona__V1__WhoAmIRequest whoami = SPONA__V1__WHO_AM_IREQUEST__INIT;
    Spona__V1__DirectoryRequest directory = SPONA__V1__DIRECTORY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_WHOAMI;
    request.whoami = &whoami;
    code = doc_session_call(session, settings, &request, &session->whoami);
    if (code == OUTPUT_EXIT_OK) {
        spona_request listing = SPONA__V1__REQUEST__INIT;
        listing.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
        listing.directory = &directory;
        code = doc_session_call(session, settings, &listing, &session->directory);
    }
    if (code != OUTPUT_EXIT_OK) {
        doc_session_close(session);
        return code;
    }
    session->labels.whoami = session->whoami->whoami;
    session->labels.directory = session->directory->directory;
    return OUTPUT_EXIT_OK;
}

int doc_session_call(struct doc_session *session, const struct settings *settings,
                     spona_request *request, spona_response **response)
{
    return remote_call(session->client, settings, request, response);
}

void doc_session_close(struct doc_session *session)
{
    if (session->whoami != NULL)
        envelope_free_response(session->whoami);
    if (session->directory != NULL)
        envelope_free_response(session->directory);
    if (session->client != NULL)
        spona_client_close(session->client);
    memset(session, 0, sizeof(*session));
}

void doc_session_today(char *local, size_t local_size, char *iso, size_t iso_size)
{
    time_t now = time(NULL);
    struct tm day;
    localtime_r(&now, &day);
    strftime(iso, iso_size, "%Y-%m-%d", &day);
    if (i18n_current() == I18N_EN)
        strftime(local, local_size, "%Y-%m-%d", &day);
    else
        strftime(local, local_size, "%d.%m.%Y.", &day);
}
