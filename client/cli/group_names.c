/*
 * Priority-group names for person views (see group_names.h).
 */
#include "group_names.h"

#include <string.h>

#include "remote.h"
#include "view.h"

static spona_response *directory_answer;

/* 1 when the view has a non-empty priority_groups field. */
static int shows_groups(const Spona__V1__PersonView *view)
{
    for (size_t i = 0; view != NULL && i < view->n_fields; i++)
        if (strcmp(view->fields[i]->name, "priority_groups") == 0 &&
            view->fields[i]->value[0] != '\0')
            return 1;
    return 0;
}

void group_names_prepare(const struct settings *settings, const Spona__V1__PersonView *view)
{
    if (settings == NULL || settings->json || directory_answer != NULL || !shows_groups(view))
        return;
    Spona__V1__DirectoryRequest directory = SPONA__V1__DIRECTORY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
    request.directory = &directory;
    spona_response *response = NULL;
    if (remote_session_call(settings, &request, &response) == 0 && response != NULL &&
        response->body_case == SPONA__V1__RESPONSE__BODY_DIRECTORY) {
        directory_answer = response;
        view_set_directory(response->directory);
    } else if (response != NULL) {
        envelope_free_response(response);
    }
}

void group_names_release(void)
{
    view_set_directory(NULL);
    if (directory_answer != NULL)
        envelope_free_response(directory_answer);
    directory_answer = NULL;
}
