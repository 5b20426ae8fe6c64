/*
 * Stable error codes (see error_code.h): what a refusal is, in words a client can
 * translate, beside the English message.
 */
#include "error_code.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

void error_code_set(struct error_code *error, const char *code)
{
    error->code = code;
    error->n_params = 0;
}

void error_code_param(struct error_code *error, const char *name, const char *value)
{
    if (error->n_params >= ERROR_CODE_MAX_PARAMS)
        return;
    error->params[error->n_params].name = name;
    snprintf(error->params[error->n_params].value, sizeof(error->params[0].value), "%s",
             value != NULL ? value : "");
    error->n_params++;
}

void error_code_decision(struct error_code *error, const struct policy_decision *decision,
                         enum policy_category category, enum policy_action action)
{
    char clause[16];
    snprintf(clause, sizeof(clause), "%d", decision->clause_number);
    switch (decision->reason_code) {
    case POLICY_REASON_NO_CONSENT: error_code_set(error, "consent_required"); break;
    case POLICY_REASON_NOT_ON_TEAM: error_code_set(error, "not_on_team"); break;
    case POLICY_REASON_EXCLUDED: error_code_set(error, "excluded"); return;
    case POLICY_REASON_PROTECTED_ADDRESS: error_code_set(error, "protected_address"); return;
    case POLICY_REASON_NO_POLICY: error_code_set(error, "no_protocol"); return;
    case POLICY_REASON_COORDINATOR:
        error_code_set(error, "coordinator_only");
        error_code_param(error, "category", policy_category_name(category));
        return;
    default:
        error_code_set(error, "no_clause");
        error_code_param(error, "category", policy_category_name(category));
        error_code_param(error, "action", policy_action_name(action));
        return;
    }
    error_code_param(error, "category", policy_category_name(category));
    error_code_param(error, "clause", clause);
}

const char *error_code_default(spona_status status)
{
    switch (status) {
    case SPONA__V1__STATUS__INVALID_ARGUMENT: return "invalid_argument";
    case SPONA__V1__STATUS__UNAUTHENTICATED: return "unauthenticated";
    case SPONA__V1__STATUS__PERMISSION_DENIED: return "permission_denied";
    case SPONA__V1__STATUS__NOT_FOUND: return "not_found";
    case SPONA__V1__STATUS__CONFLICT: return "conflict";
    case SPONA__V1__STATUS__UNAVAILABLE: return "unavailable";
    case SPONA__V1__STATUS__RESOURCE_EXHAUSTED: return "resource_exhausted";
    case SPONA__V1__STATUS__FAILED_PRECONDITION: return "failed_precondition";
    default: return "internal";
    }
}

/* Names of records in messages, and of request fields that are not person fields. */
static const char *const error_code_records[] = {
    "person", "case", "plan", "referral", "outcome", "assessment", "consent", "record", NULL,
};
static const char *const error_code_request_fields[] = {
    "reason", "measure", "due_date", "opened_on", "assessed_on", "to_stage", "query", "title",
    "kind", "text", "minutes", "pathway", "strengths", "username", "usernames",
    "institution_code", "source_sha256", "valid_from", "valid_until", "date", "status",
    "category", "note", "goal", "responsible", "follow_up", NULL,
};

/* The list's entry equal to the length bytes at text, or NULL. */
static const char *error_code_listed(const char *const *list, const char *text, size_t length)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strlen(list[i]) == length && strncmp(list[i], text, length) == 0)
            return list[i];
    return NULL;
}

/* The server's own name of a field at text (length bytes), or NULL. */
static const char *error_code_field(const char *text, size_t length)
{
    char name[48];
    if (length == 0 || length >= sizeof(name))
        return NULL;
    memcpy(name, text, length);
    name[length] = '\0';
    const struct field_def *field = fields_find(name);
    return field != NULL ? field->name : error_code_listed(error_code_request_fields, text, length);
}

/* "<record> ... was changed meanwhile: current version N". 1 when classified. */
static int error_code_conflict(struct error_code *error, const char *message)
{
    const char *marker = strstr(message, " was changed meanwhile: current version ");
    if (marker == NULL)
        return 0;
    const char *version = marker + strlen(" was changed meanwhile: current version ");
    size_t digits = strspn(version, "0123456789");
    const char *record = error_code_listed(error_code_records, message, strcspn(message, " "));
    error_code_set(error, "version_conflict");
    error_code_param(error, "record", record != NULL ? record : "record");
    char number[24];
    snprintf(number, sizeof(number), "%.*s", (int)(digits < 20 ? digits : 20), version);
    error_code_param(error, "version", number);
    return 1;
}

void error_code_classify(struct error_code *error, spona_status status, const char *message)
{
    if (error->code != NULL || status == SPONA__V1__STATUS__OK)
        return;
    if (error_code_conflict(error, message))
        return;
    if (strncmp(message, "no ", 3) == 0 && strstr(message, " that you may see") != NULL) {
        const char *record =
            error_code_listed(error_code_records, message + 3, strcspn(message + 3, " "));
        error_code_set(error, "not_visible");
        error_code_param(error, "record", record != NULL ? record : "record");
        return;
    }
    if (strncmp(message, "only a lead agency may ", 23) == 0) {
        error_code_set(error, "lead_agency_only");
        return;
    }
    if (strstr(message, " already has an open case") != NULL) {
        error_code_set(error, "open_case_exists");
        return;
    }
    size_t name_length = strspn(message, "abcdefghijklmnopqrstuvwxyz_0123456789");
    const char *field = message[name_length] == ':' ? error_code_field(message, name_length)
                                                    : NULL;
    if (field != NULL && status == SPONA__V1__STATUS__INVALID_ARGUMENT) {
        int required = strncmp(message + name_length, ": required", 10) == 0;
        error_code_set(error, required ? "field_required" : "field_invalid");
        error_code_param(error, "field", field);
    }
}

/* One parameter as a heap-allocated ErrorParam; NULL when out of memory. */
static Spona__V1__ErrorParam *error_code_new_param(const char *name, const char *value)
{
    Spona__V1__ErrorParam *param = malloc(sizeof(*param));
    if (param == NULL)
        return NULL;
    spona__v1__error_param__init(param);
    param->name = strdup(name);
    param->value = strdup(value);
    if (param->name == NULL || param->value == NULL) {
        free(param->name);
        free(param->value);
        free(param);
        return NULL;
    }
    return param;
}

int error_code_fill(const struct error_code *error, spona_status status,
                    spona_response *response)
{
    const char *code = error != NULL && error->code != NULL ? error->code
                                                            : error_code_default(status);
    char *copy = strdup(code);
    if (copy == NULL)
        return -1;
    response->error_code = copy;
    size_t count = error != NULL && error->code != NULL ? error->n_params : 0;
    if (count == 0)
        return 0;
    response->error_params = calloc(count, sizeof(*response->error_params));
    if (response->error_params == NULL)
        return -1;
    for (size_t i = 0; i < count; i++) {
        Spona__V1__ErrorParam *param =
            error_code_new_param(error->params[i].name, error->params[i].value);
        if (param == NULL)
            return -1;
        response->error_params[response->n_error_params++] = param;
    }
    return 0;
}
