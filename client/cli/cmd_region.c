/*
 * `spona region municipality add|list|show` and `spona region institution
 * add|list`: the region's registry (docs/region.md), for regional
 * administrators at a regional server. The certificates and the CRL are in
 * cmd_region_cert.c; this file also holds the `region` group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"

enum region_option {
    REGION_OPTION_SHORT = 1,
    REGION_OPTION_NAME,
    REGION_OPTION_ADDRESS,
    REGION_OPTION_ROLE,
    REGION_OPTION_CONTACT,
    REGION_OPTION_MUNICIPALITY,
};

static const char *region_or(const char *value, const char *fallback)
{
    return value != NULL ? value : fallback;
}

static void municipality_json(struct json_writer *writer, const Spona__V1__RegionMunicipality *m)
{
    json_string(writer, "code", m->code);
    json_string(writer, "short_code", m->short_code);
    json_string(writer, "name", m->name);
    json_string(writer, "address", m->address);
    json_string(writer, "status", m->status);
    json_string(writer, "created_at", m->created_at);
}

static void institution_json(struct json_writer *writer, const Spona__V1__RegionInstitution *i)
{
    json_string(writer, "municipality_code", i->municipality_code);
    json_string(writer, "code", i->code);
    json_string(writer, "name", i->name);
    json_string(writer, "role", i->role);
    json_string(writer, "contact", i->contact);
    json_bool(writer, "enabled", i->enabled);
}

static void institutions_table(Spona__V1__RegionInstitution *const *rows, size_t count)
{
    struct table table;
    table_init(&table, 6);
    const char *header[] = {_("municipality"), _("code"), _("role"), _("name"), _("contact"),
                            _("enabled")};
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < count; i++) {
        const char *row[] = {rows[i]->municipality_code, rows[i]->code, rows[i]->role,
                             rows[i]->name, rows[i]->contact,
                             rows[i]->enabled ? _("yes") : _("no")};
        failed = table_add(&table, row);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

/* --- municipality add ------------------------------------------------------ */

static void municipality_add_json(struct json_writer *writer, const spona_request *request,
                                  const spona_response *response)
{
    (void)request;
    municipality_json(writer, response->region_municipality_add);
}

static void municipality_add_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionMunicipality *m = response->region_municipality_add;
    printf(_("municipality "));
    output_text(stdout, m->code);
    printf(" (");
    output_text(stdout, m->short_code);
    printf(_(") registered\n"));
}

static int municipality_add_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__RegionMunicipalityAddRequest add = SPONA__V1__REGION_MUNICIPALITY_ADD_REQUEST__INIT;
    add.code = args->operands[0];
    add.short_code = args_value(args, REGION_OPTION_SHORT);
    add.name = args_value(args, REGION_OPTION_NAME);
    add.address = (char *)(uintptr_t)region_or(args_value(args, REGION_OPTION_ADDRESS), "");
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_ADD;
    request.region_municipality_add = &add;
    return remote_write_print(settings, args, &request, municipality_add_json,
                              municipality_add_text);
}

/* --- municipality list ----------------------------------------------------- */

static void municipality_list_json(struct json_writer *writer, const spona_request *request,
                                   const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionMunicipalityList *list = response->region_municipality_list;
    json_array_begin(writer, "municipalities");
    for (size_t i = 0; i < list->n_municipalities; i++) {
        json_object_begin(writer, NULL);
        municipality_json(writer, list->municipalities[i]);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static void municipality_list_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionMunicipalityList *list = response->region_municipality_list;
    struct table table;
    table_init(&table, 5);
    const char *header[] = {_("code"), _("short"), _("name"), _("address"), _("status")};
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < list->n_municipalities; i++) {
        const Spona__V1__RegionMunicipality *m = list->municipalities[i];
        const char *row[] = {m->code, m->short_code, m->name, m->address, m->status};
        failed = table_add(&table, row);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

static int municipality_list_run(const struct settings *settings, const struct args *args)
{
    (void)args;
    Spona__V1__RegionMunicipalityListRequest list = SPONA__V1__REGION_MUNICIPALITY_LIST_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_LIST;
    request.region_municipality_list = &list;
    return remote_read_print(settings, &request, municipality_list_json, municipality_list_text);
}

/* --- municipality show ----------------------------------------------------- */

static void municipality_show_json(struct json_writer *writer, const spona_request *request,
                                   const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionMunicipalityShowResponse *show = response->region_municipality_show;
    municipality_json(writer, show->municipality);
    json_array_begin(writer, "institutions");
    for (size_t i = 0; i < show->n_institutions; i++) {
        json_object_begin(writer, NULL);
        institution_json(writer, show->institutions[i]);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_array_begin(writer, "certificates");
    for (size_t i = 0; i < show->n_certificates; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "serial", show->certificates[i]->serial);
        json_string(writer, "subject", show->certificates[i]->subject);
        json_string(writer, "revoked_at", show->certificates[i]->revoked_at);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static void municipality_show_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionMunicipalityShowResponse *show = response->region_municipality_show;
    const Spona__V1__RegionMunicipality *m = show->municipality;
    const char *labels[] = {_("code"), _("short code"), _("name"), _("address"), _("status"),
                            _("registered")};
    const char *values[] = {m->code, m->short_code, m->name, m->address, m->status,
                            m->created_at};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        printf("%-12s ", labels[i]);
        output_text(stdout, values[i]);
        printf("\n");
    }
    printf(_("\ninstitutions (%zu):\n"), show->n_institutions);
    institutions_table(show->institutions, show->n_institutions);
    size_t revoked = 0;
    for (size_t i = 0; i < show->n_certificates; i++)
        revoked += show->certificates[i]->revoked_at[0] != '\0';
    printf(_("\ncertificates: %zu (%zu revoked; `spona region cert list --municipality %s`)\n"),
           show->n_certificates, revoked, m->code);
}

static int municipality_show_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__RegionMunicipalityShowRequest show = SPONA__V1__REGION_MUNICIPALITY_SHOW_REQUEST__INIT;
    show.code = args->operands[0];
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_SHOW;
    request.region_municipality_show = &show;
    return remote_read_print(settings, &request, municipality_show_json, municipality_show_text);
}

/* --- institution add, list ------------------------------------------------- */

static void institution_add_json(struct json_writer *writer, const spona_request *request,
                                 const spona_response *response)
{
    (void)request;
    institution_json(writer, response->region_institution_add);
}

static void institution_add_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionInstitution *i = response->region_institution_add;
    printf(_("institution "));
    output_text(stdout, i->code);
    printf(" (");
    output_text(stdout, i->role);
    printf(_(") registered in "));
    output_text(stdout, i->municipality_code);
    printf("\n");
}

static int institution_add_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__RegionInstitutionAddRequest add = SPONA__V1__REGION_INSTITUTION_ADD_REQUEST__INIT;
    add.municipality_code = args->operands[0];
    add.code = args->operands[1];
    add.role = args_value(args, REGION_OPTION_ROLE);
    add.name = args_value(args, REGION_OPTION_NAME);
    add.contact = (char *)(uintptr_t)region_or(args_value(args, REGION_OPTION_CONTACT), "");
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_INSTITUTION_ADD;
    request.region_institution_add = &add;
    return remote_write_print(settings, args, &request, institution_add_json,
                              institution_add_text);
}

static void institution_list_json(struct json_writer *writer, const spona_request *request,
                                  const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionInstitutionList *list = response->region_institution_list;
    json_array_begin(writer, "institutions");
    for (size_t i = 0; i < list->n_institutions; i++) {
        json_object_begin(writer, NULL);
        institution_json(writer, list->institutions[i]);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static void institution_list_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionInstitutionList *list = response->region_institution_list;
    institutions_table(list->institutions, list->n_institutions);
}

static int institution_list_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__RegionInstitutionListRequest list = SPONA__V1__REGION_INSTITUTION_LIST_REQUEST__INIT;
    list.municipality_code =
        (char *)(uintptr_t)region_or(args_value(args, REGION_OPTION_MUNICIPALITY), "");
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_INSTITUTION_LIST;
    request.region_institution_list = &list;
    return remote_read_print(settings, &request, institution_list_json, institution_list_text);
}

/* --- the tables ------------------------------------------------------------- */

static const struct args_option municipality_add_options[] = {
    {"short", REGION_OPTION_SHORT, ARGS_VALUE | ARGS_REQUIRED, "SHORT_CODE"},
    {"name", REGION_OPTION_NAME, ARGS_VALUE | ARGS_REQUIRED, "NAME"},
    {"address", REGION_OPTION_ADDRESS, ARGS_VALUE, "HOST:PORT"},
    ARGS_IDEMPOTENCY_OPTION,
    {NULL, 0, 0, NULL},
};

static const struct command municipality_add = {
    .name = "add",
    .summary = N_("register a municipality at the region"),
    .help = "Usage: spona region municipality add CODE --short SHORT_CODE --name NAME\n"
               "                                     [--address HOST:PORT] [OPTIONS]\n"
               "\n"
               "Registers a municipality in the region's registry (regional administrators,\n"
               "at a regional server). CODE is its code (prijedor), SHORT_CODE the two to four\n"
               "capital letters used in case numbers (PD), HOST:PORT its server's address.\n",
    .options = municipality_add_options,
    .operands = "CODE",
    .min_operands = 1,
    .max_operands = 1,
    .run = municipality_add_run,
};

static const struct command municipality_list = {
    .name = "list",
    .summary = N_("the municipalities registered at the region"),
    .help = "Usage: spona region municipality list [OPTIONS]\n"
               "\n"
               "Prints a table code | short | name | address | status.\n",
    .run = municipality_list_run,
};

static const struct command municipality_show = {
    .name = "show",
    .summary = N_("a municipality, its institutions and certificates"),
    .help = "Usage: spona region municipality show CODE [OPTIONS]\n"
               "\n"
               "The municipality's registry entry, its institutions and how many\n"
               "certificates the region issued it (revoked among them).\n",
    .operands = "CODE",
    .min_operands = 1,
    .max_operands = 1,
    .run = municipality_show_run,
};

static const struct command *const municipality_subcommands[] = {
    &municipality_add, &municipality_list, &municipality_show, NULL,
};

static const struct command region_municipality = {
    .name = "municipality",
    .summary = N_("the region's municipalities: add, list, show"),
    .help = "Usage: spona region municipality SUBCOMMAND [OPTIONS]\n",
    .subcommands = municipality_subcommands,
};

static const struct args_option institution_add_options[] = {
    {"role", REGION_OPTION_ROLE, ARGS_VALUE | ARGS_REQUIRED, "ROLE"},
    {"name", REGION_OPTION_NAME, ARGS_VALUE | ARGS_REQUIRED, "NAME"},
    {"contact", REGION_OPTION_CONTACT, ARGS_VALUE, "TEXT"},
    ARGS_IDEMPOTENCY_OPTION,
    {NULL, 0, 0, NULL},
};

static const struct command institution_add = {
    .name = "add",
    .summary = N_("register an institution of a municipality"),
    .help = "Usage: spona region institution add MUNICIPALITY CODE --role ROLE --name NAME\n"
               "                                    [--contact TEXT] [OPTIONS]\n"
               "\n"
               "Registers an institution of a registered municipality. CODE is unique in the\n"
               "region and is the CN of the certificates the region issues it (prijedor.csr);\n"
               "ROLE its role in the protocol (lead_agency, employment_service, ...).\n",
    .options = institution_add_options,
    .operands = "MUNICIPALITY CODE",
    .min_operands = 2,
    .max_operands = 2,
    .run = institution_add_run,
};

static const struct args_option institution_list_options[] = {
    {"municipality", REGION_OPTION_MUNICIPALITY, ARGS_VALUE, "CODE"},
    {NULL, 0, 0, NULL},
};

static const struct command institution_list = {
    .name = "list",
    .summary = N_("the institutions registered at the region"),
    .help = "Usage: spona region institution list [--municipality CODE] [OPTIONS]\n"
               "\n"
               "Prints a table municipality | code | role | name | contact | enabled.\n",
    .options = institution_list_options,
    .run = institution_list_run,
};

static const struct command *const institution_subcommands[] = {
    &institution_add, &institution_list, NULL,
};

static const struct command region_institution = {
    .name = "institution",
    .summary = N_("the municipalities' institutions: add, list"),
    .help = "Usage: spona region institution SUBCOMMAND [OPTIONS]\n",
    .subcommands = institution_subcommands,
};

static const struct command *const region_subcommands[] = {
    &region_municipality, &region_institution, &command_region_cert, &command_region_crl, NULL,
};

const struct command command_region = {
    .name = "region",
    .summary = N_("the region: registry, certificates, CRL (regional administrators)"),
    .help = "Usage: spona region SUBCOMMAND [OPTIONS]\n"
               "\n"
               "Requests to a regional server (docs/region.md), for regional administrators:\n"
               "the registry of municipalities and institutions, the certificates the\n"
               "regional CA issues, their revocation and the CRL. A municipal server refuses\n"
               "them, as the regional server refuses municipal requests.\n",
    .subcommands = region_subcommands,
};
