/*
 * The region's registry (docs/region.md): municipalities (register, list,
 * show) and their institutions (register, list). Served only by a regional
 * server to regional administrators (region_pipeline.c audits every request).
 * Refusals never quote what the client sent.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "region_pipeline.h"
#include "region_views.h"
#include "statements.h"

#define MUNICIPALITY_FROM " FROM region_municipalities m"
#define INSTITUTION_FROM                                                                 \
    " FROM region_institutions i JOIN region_municipalities m ON m.id = i.municipality_id"

const struct db_statement region_registry_statements[] = {
    {"region_municipality_add",
     "INSERT INTO region_municipalities AS m (code, short_code, name, address)"
     " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING " REGION_MUNICIPALITY_COLUMNS},
    {"region_municipality_list",
     "SELECT " REGION_MUNICIPALITY_COLUMNS MUNICIPALITY_FROM " ORDER BY m.code"},
    {"region_municipality_get",
     "SELECT " REGION_MUNICIPALITY_COLUMNS MUNICIPALITY_FROM " WHERE m.code = $1"},
    {"region_institution_add",
     "INSERT INTO region_institutions AS i (municipality_id, code, name, role, contact)"
     " SELECT id, $2, $3, $4, $5 FROM region_municipalities WHERE code = $1"
     " ON CONFLICT DO NOTHING RETURNING i.id"},
    {"region_institution_get",
     "SELECT " REGION_INSTITUTION_COLUMNS INSTITUTION_FROM " WHERE i.id = $1::uuid"},
    {"region_institution_list",
     "SELECT " REGION_INSTITUTION_COLUMNS INSTITUTION_FROM
     " WHERE $1 = '' OR m.code = $1 ORDER BY m.code, i.code"},
    {NULL, NULL},
};

/* A registry code: ^[a-z0-9][a-z0-9._-]{1,62}$ (the schema's check, told before it). */
static int region_valid_code(const char *code)
{
    size_t length = strlen(code);
    if (length < 2 || length > 63 || !(islower((unsigned char)code[0]) || isdigit((unsigned char)code[0])))
        return 0;
    for (size_t i = 1; i < length; i++)
        if (!islower((unsigned char)code[i]) && !isdigit((unsigned char)code[i]) &&
            strchr("._-", code[i]) == NULL)
            return 0;
    return 1;
}

static int region_valid_short_code(const char *code)
{
    size_t length = strlen(code);
    for (size_t i = 0; i < length; i++)
        if (!isupper((unsigned char)code[i]))
            return 0;
    return length >= 2 && length <= 4;
}

static int region_valid_role(const char *role)
{
    size_t length = strlen(role);
    for (size_t i = 0; i < length; i++)
        if (!islower((unsigned char)role[i]) && role[i] != '_')
            return 0;
    return length >= 2 && length <= 40;
}

static spona_status region_invalid(struct request_context *ctx, const char *message)
{
    snprintf(ctx->message, sizeof(ctx->message), "%s", message);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s", message);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

static spona_status region_municipality_check(struct request_context *ctx,
                                              const Spona__V1__RegionMunicipalityAddRequest *add)
{
    if (!region_valid_code(add->code))
        return region_invalid(ctx, "the code must be 2 to 63 of a-z, 0-9, '.', '_', '-', "
                                   "starting with a letter or digit");
    if (!region_valid_short_code(add->short_code))
        return region_invalid(ctx, "the short code must be 2 to 4 capital letters (A-Z)");
    size_t name = strlen(add->name);
    if (name == 0 || name > 200)
        return region_invalid(ctx, "the name must be 1 to 200 bytes");
    if (strlen(add->address) > 300)
        return region_invalid(ctx, "the address must be at most 300 bytes");
    return SPONA__V1__STATUS__OK;
}

spona_status handle_region_municipality_add(struct request_context *ctx,
                                            const spona_request *request,
                                            spona_response *response)
{
    const Spona__V1__RegionMunicipalityAddRequest *add = request->region_municipality_add;
    spona_status status = region_municipality_check(ctx, add);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    region_set_object(ctx, add->code);
    const char *params[] = {add->code, add->short_code, add->name, add->address};
    PGresult *result = request_query(ctx, "region_municipality_add", 4, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message),
                 "a municipality with that code or short code is already registered");
        return SPONA__V1__STATUS__CONFLICT;
    }
    response->region_municipality_add = region_view_municipality(result, 0);
    PQclear(result);
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_MUNICIPALITY_ADD;
    return response->region_municipality_add != NULL ? SPONA__V1__STATUS__OK
                                                     : SPONA__V1__STATUS__INTERNAL;
}

spona_status handle_region_municipality_list(struct request_context *ctx,
                                             const spona_request *request,
                                             spona_response *response)
{
    (void)request;
    spona_status status;
    PGresult *result = request_query(ctx, "region_municipality_list", 0, NULL, &status);
    if (result == NULL)
        return status;
    Spona__V1__RegionMunicipalityList *list = malloc(sizeof(*list));
    int rows = PQntuples(result);
    if (list != NULL) {
        spona__v1__region_municipality_list__init(list);
        list->municipalities = calloc((size_t)rows + 1, sizeof(*list->municipalities));
    }
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_MUNICIPALITY_LIST;
    response->region_municipality_list = list;
    status = list != NULL && list->municipalities != NULL ? SPONA__V1__STATUS__OK
                                                          : SPONA__V1__STATUS__INTERNAL;
    for (int i = 0; status == SPONA__V1__STATUS__OK && i < rows; i++) {
        list->municipalities[i] = region_view_municipality(result, i);
        if (list->municipalities[i] == NULL)
            status = SPONA__V1__STATUS__INTERNAL;
        else
            list->n_municipalities++;
    }
    PQclear(result);
    return status;
}

/* The institutions of result as a newly allocated array in *out (count in *n). */
static spona_status region_institutions(const PGresult *result,
                                        Spona__V1__RegionInstitution ***out, size_t *n)
{
    int rows = PQntuples(result);
    *out = calloc((size_t)rows + 1, sizeof(**out));
    if (*out == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    for (int i = 0; i < rows; i++) {
        (*out)[i] = region_view_institution(result, i);
        if ((*out)[i] == NULL)
            return SPONA__V1__STATUS__INTERNAL;
        (*n)++;
    }
    return SPONA__V1__STATUS__OK;
}

/* The municipality's institutions and certificates into show. */
static spona_status region_show_members(struct request_context *ctx, const char *code,
                                        Spona__V1__RegionMunicipalityShowResponse *show)
{
    const char *params[] = {code};
    spona_status status;
    PGresult *result = request_query(ctx, "region_institution_list", 1, params, &status);
    if (result == NULL)
        return status;
    status = region_institutions(result, &show->institutions, &show->n_institutions);
    PQclear(result);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    result = request_query(ctx, "region_cert_list", 1, params, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result);
    show->certificates = calloc((size_t)rows + 1, sizeof(*show->certificates));
    status = show->certificates != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
    for (int i = 0; status == SPONA__V1__STATUS__OK && i < rows; i++) {
        show->certificates[i] = region_view_certificate(result, i);
        if (show->certificates[i] == NULL)
            status = SPONA__V1__STATUS__INTERNAL;
        else
            show->n_certificates++;
    }
    PQclear(result);
    return status;
}

spona_status handle_region_municipality_show(struct request_context *ctx,
                                             const spona_request *request,
                                             spona_response *response)
{
    const char *code = request->region_municipality_show->code;
    region_set_object(ctx, region_valid_code(code) ? code : "");
    const char *params[] = {code};
    spona_status status;
    PGresult *result = request_query(ctx, "region_municipality_get", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no municipality with that code is registered");
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    Spona__V1__RegionMunicipalityShowResponse *show = malloc(sizeof(*show));
    if (show != NULL) {
        spona__v1__region_municipality_show_response__init(show);
        show->municipality = region_view_municipality(result, 0);
    }
    PQclear(result);
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_MUNICIPALITY_SHOW;
    response->region_municipality_show = show;
    if (show == NULL || show->municipality == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    return region_show_members(ctx, code, show);
}

static spona_status region_institution_check(struct request_context *ctx,
                                             const Spona__V1__RegionInstitutionAddRequest *add)
{
    size_t code = strlen(add->code);
    if (!region_valid_code(add->code) || (code > 5 && strcmp(add->code + code - 5, ".sync") == 0))
        return region_invalid(ctx, "the code must be 2 to 63 of a-z, 0-9, '.', '_', '-', "
                                   "starting with a letter or digit, and not end in .sync");
    if (!region_valid_role(add->role))
        return region_invalid(ctx, "the role must be 2 to 40 of a-z and '_'");
    size_t name = strlen(add->name);
    if (name == 0 || name > 200)
        return region_invalid(ctx, "the name must be 1 to 200 bytes");
    if (strlen(add->contact) > 300)
        return region_invalid(ctx, "the contact must be at most 300 bytes");
    return SPONA__V1__STATUS__OK;
}

spona_status handle_region_institution_add(struct request_context *ctx,
                                           const spona_request *request,
                                           spona_response *response)
{
    const Spona__V1__RegionInstitutionAddRequest *add = request->region_institution_add;
    spona_status status = region_institution_check(ctx, add);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    region_set_object(ctx, add->code);
    const char *params[] = {add->municipality_code, add->code, add->name, add->role,
                            add->contact};
    PGresult *result = request_query(ctx, "region_institution_add", 5, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        /* no municipality of that code, or the institution's code is taken */
        const char *get[] = {add->municipality_code};
        result = request_query(ctx, "region_municipality_get", 1, get, &status);
        if (result == NULL)
            return status;
        int known = PQntuples(result) == 1;
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "%s",
                 known ? "an institution with that code is already registered"
                       : "no municipality with that code is registered");
        return known ? SPONA__V1__STATUS__CONFLICT : SPONA__V1__STATUS__NOT_FOUND;
    }
    const char *get[] = {PQgetvalue(result, 0, 0)};
    PGresult *row = request_query(ctx, "region_institution_get", 1, get, &status);
    PQclear(result);
    if (row == NULL)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_INSTITUTION_ADD;
    response->region_institution_add = PQntuples(row) == 1 ? region_view_institution(row, 0) : NULL;
    PQclear(row);
    return response->region_institution_add != NULL ? SPONA__V1__STATUS__OK
                                                    : SPONA__V1__STATUS__INTERNAL;
}

spona_status handle_region_institution_list(struct request_context *ctx,
                                            const spona_request *request,
                                            spona_response *response)
{
    const char *params[] = {request->region_institution_list->municipality_code};
    spona_status status;
    PGresult *result = request_query(ctx, "region_institution_list", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__RegionInstitutionList *list = malloc(sizeof(*list));
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_INSTITUTION_LIST;
    response->region_institution_list = list;
    if (list == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__region_institution_list__init(list);
    status = region_institutions(result, &list->institutions, &list->n_institutions);
    PQclear(result);
    return status;
}
