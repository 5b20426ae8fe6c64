/*
 * The registry's rows as protocol messages (see region_views.h).
 */
#include "region_views.h"

#include <stdlib.h>
#include <string.h>

/* Copies count columns from first into fields; 0, or -1 out of memory. */
static int copy_columns(const PGresult *result, int row, int first, char **const *fields,
                        int count)
{
    int failed = 0;
    for (int i = 0; i < count; i++) {
        *fields[i] = strdup(PQgetvalue(result, row, first + i));
        failed |= *fields[i] == NULL;
    }
    return failed ? -1 : 0;
}

Spona__V1__RegionMunicipality *region_view_municipality(const PGresult *result, int row)
{
    Spona__V1__RegionMunicipality *view = malloc(sizeof(*view));
    if (view == NULL)
        return NULL;
    spona__v1__region_municipality__init(view);
    char **const fields[] = {&view->id,      &view->code,   &view->short_code, &view->name,
                             &view->address, &view->status, &view->created_at};
    if (copy_columns(result, row, 0, fields, 7) != 0) {
        spona__v1__region_municipality__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

Spona__V1__RegionInstitution *region_view_institution(const PGresult *result, int row)
{
    Spona__V1__RegionInstitution *view = malloc(sizeof(*view));
    if (view == NULL)
        return NULL;
    spona__v1__region_institution__init(view);
    char **const fields[] = {&view->id,   &view->municipality_code, &view->code,
                             &view->name, &view->role,              &view->contact};
    if (copy_columns(result, row, 0, fields, 6) != 0) {
        spona__v1__region_institution__free_unpacked(view, NULL);
        return NULL;
    }
    view->enabled = strcmp(PQgetvalue(result, row, 6), "t") == 0;
    return view;
}

Spona__V1__RegionCertificate *region_view_certificate(const PGresult *result, int row)
{
    Spona__V1__RegionCertificate *view = malloc(sizeof(*view));
    if (view == NULL)
        return NULL;
    spona__v1__region_certificate__init(view);
    char **const fields[] = {&view->serial,     &view->fingerprint_sha256,
                             &view->municipality_code, &view->institution_code,
                             &view->purpose,    &view->subject,
                             &view->not_before, &view->not_after,
                             &view->revoked_at, &view->revoke_reason,
                             &view->pem};
    if (copy_columns(result, row, 0, fields, 11) != 0) {
        spona__v1__region_certificate__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}
