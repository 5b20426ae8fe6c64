/*
 * Versions without bookkeeping (see versions.h): the request kinds that carry an
 * expected version, the answers that show one, and the CONFLICT explanation's words.
 */
#include "versions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "i18n_errors.h"
#include "output.h"
#include "version_store.h"

int versions_target(const spona_request *request, const char **kind, const char **id)
{
    switch (request->body_case) {
    case SPONA__V1__REQUEST__BODY_PERSON_UPDATE:
        *kind = "person", *id = request->person_update->person_id; return 1;
    case SPONA__V1__REQUEST__BODY_HOUSEHOLD_SET:
        *kind = "person", *id = request->household_set->person_id; return 1;
    case SPONA__V1__REQUEST__BODY_BENEFIT_ADD:
        *kind = "person", *id = request->benefit_add->person_id; return 1;
    case SPONA__V1__REQUEST__BODY_CASE_ADVANCE:
        *kind = "case", *id = request->case_advance->case_id; return 1;
    case SPONA__V1__REQUEST__BODY_CASE_CLOSE:
        *kind = "case", *id = request->case_close->case_id; return 1;
    case SPONA__V1__REQUEST__BODY_CASE_REOPEN:
        *kind = "case", *id = request->case_reopen->case_id; return 1;
    case SPONA__V1__REQUEST__BODY_PLAN_CHANGE:
        *kind = "plan", *id = request->plan_change->case_id; return 1;
    case SPONA__V1__REQUEST__BODY_REFERRAL_DECLINE:
        *kind = "referral", *id = request->referral_decline->referral_id; return 1;
    case SPONA__V1__REQUEST__BODY_REFERRAL_COMPLETE:
        *kind = "referral", *id = request->referral_complete->referral_id; return 1;
    default:
        return 0;
    }
}

/* Sets the expected version of a request versions_target knows. */
static void versions_set(spona_request *request, uint64_t version)
{
    switch (request->body_case) {
    case SPONA__V1__REQUEST__BODY_PERSON_UPDATE: request->person_update->expected_version = version; break;
    case SPONA__V1__REQUEST__BODY_HOUSEHOLD_SET: request->household_set->expected_version = version; break;
    case SPONA__V1__REQUEST__BODY_BENEFIT_ADD: request->benefit_add->expected_version = version; break;
    case SPONA__V1__REQUEST__BODY_CASE_ADVANCE: request->case_advance->expected_version = version; break;
    case SPONA__V1__REQUEST__BODY_CASE_CLOSE: request->case_close->expected_version = version; break;
    case SPONA__V1__REQUEST__BODY_CASE_REOPEN: request->case_reopen->expected_version = version; break;
    case SPONA__V1__REQUEST__BODY_PLAN_CHANGE:
        request->plan_change->expected_version = (uint32_t)version;
        break;
    case SPONA__V1__REQUEST__BODY_REFERRAL_DECLINE:
        request->referral_decline->expected_version = version;
        break;
    case SPONA__V1__REQUEST__BODY_REFERRAL_COMPLETE:
        request->referral_complete->expected_version = version;
        break;
    default: break;
    }
}

/* Versions gathered from one answer. */
struct versions_seen {
    struct version_entry *entries;
    size_t count, capacity;
};

static void versions_add(struct versions_seen *seen, const char *kind, const char *id,
                         uint64_t version)
{
    if (id == NULL || id[0] == '\0' || !version_store_valid(kind, id))
        return;
    if (seen->count == seen->capacity) {
        size_t capacity = seen->capacity == 0 ? 8 : seen->capacity * 2;
        struct version_entry *grown = realloc(seen->entries, capacity * sizeof(*grown));
        if (grown == NULL)
            return;
        seen->entries = grown;
        seen->capacity = capacity;
    }
    struct version_entry *entry = &seen->entries[seen->count++];
    snprintf(entry->kind, sizeof(entry->kind), "%s", kind);
    snprintf(entry->id, sizeof(entry->id), "%s", id);
    entry->version = version;
}

static void versions_add_person(struct versions_seen *seen, const Spona__V1__PersonView *view)
{
    if (view != NULL && view->version > 0)
        versions_add(seen, "person", view->person_id, view->version);
}

static void versions_add_case(struct versions_seen *seen, const Spona__V1__CaseView *view)
{
    if (view == NULL)
        return;
    if (view->version > 0)
        versions_add(seen, "case", view->case_id, view->version);
    versions_add_person(seen, view->person);
}

static void versions_add_referrals(struct versions_seen *seen,
                                   Spona__V1__ReferralView *const *views, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (views[i] != NULL && views[i]->version > 0)
            versions_add(seen, "referral", views[i]->referral_id, views[i]->version);
}

/* The versions of the answers that show no person, case, plan or referral view. */
static void versions_gather_other(struct versions_seen *seen, const spona_request *request,
                                  const spona_response *response)
{
    switch (response->body_case) {
    case SPONA__V1__RESPONSE__BODY_PERSON_CREATE:
        versions_add(seen, "person", response->person_create->person_id,
                     response->person_create->version);
        break;
    case SPONA__V1__RESPONSE__BODY_CASE_OPEN:
        if (response->case_open->version > 0)
            versions_add(seen, "case", response->case_open->case_id,
                         response->case_open->version);
        versions_add(seen, "plan", response->case_open->case_id, 0); /* no plan yet */
        break;
    case SPONA__V1__RESPONSE__BODY_REFERRAL_ACCEPT:
        if (response->referral_accept->version > 0)
            versions_add(seen, "referral", request->referral_accept->referral_id,
                         response->referral_accept->version);
        break;
    case SPONA__V1__RESPONSE__BODY_INBOX:
        versions_add_referrals(seen, response->inbox->referrals, response->inbox->n_referrals);
        break;
    case SPONA__V1__RESPONSE__BODY_OVERDUE:
        versions_add_referrals(seen, response->overdue->referrals,
                               response->overdue->n_referrals);
        break;
    default:
        break;
    }
}

void versions_note(const struct settings *settings, const spona_request *request,
                   const spona_response *response)
{
    struct versions_seen seen = {0};
    switch (response->body_case) {
    case SPONA__V1__RESPONSE__BODY_PERSON_GET: versions_add_person(&seen, response->person_get); break;
    case SPONA__V1__RESPONSE__BODY_PERSON_UPDATE: versions_add_person(&seen, response->person_update); break;
    case SPONA__V1__RESPONSE__BODY_HOUSEHOLD_SET: versions_add_person(&seen, response->household_set); break;
    case SPONA__V1__RESPONSE__BODY_BENEFIT_ADD: versions_add_person(&seen, response->benefit_add); break;
    case SPONA__V1__RESPONSE__BODY_CASE_GET: versions_add_case(&seen, response->case_get); break;
    case SPONA__V1__RESPONSE__BODY_CASE_ADVANCE: versions_add_case(&seen, response->case_advance); break;
    case SPONA__V1__RESPONSE__BODY_CASE_CLOSE: versions_add_case(&seen, response->case_close); break;
    case SPONA__V1__RESPONSE__BODY_CASE_REOPEN: versions_add_case(&seen, response->case_reopen); break;
    case SPONA__V1__RESPONSE__BODY_PLAN_GET: /* an older version shown is not the one to change */
        if (request->body_case == SPONA__V1__REQUEST__BODY_PLAN_GET && request->plan_get->version == 0)
            versions_add(&seen, "plan", response->plan_get->case_id, response->plan_get->version);
        break;
    case SPONA__V1__RESPONSE__BODY_PLAN_CHANGE:
        versions_add(&seen, "plan", response->plan_change->case_id, response->plan_change->version);
        break;
    case SPONA__V1__RESPONSE__BODY_REFERRAL_DECLINE:
        versions_add_referrals(&seen, &response->referral_decline, 1);
        break;
    case SPONA__V1__RESPONSE__BODY_REFERRAL_COMPLETE:
        versions_add_referrals(&seen, &response->referral_complete, 1);
        break;
    default:
        versions_gather_other(&seen, request, response);
        break;
    }
    version_store_put(settings->session_file, seen.entries, seen.count);
    free(seen.entries);
}

/* The version of kind/id in a fresh answer (response OK); 0 when it is not there. */
static int versions_from_answer(const spona_response *response, const char *id, uint64_t *version)
{
    switch (response->body_case) {
    case SPONA__V1__RESPONSE__BODY_PERSON_GET: *version = response->person_get->version; return 1;
    case SPONA__V1__RESPONSE__BODY_CASE_GET: *version = response->case_get->version; return 1;
    case SPONA__V1__RESPONSE__BODY_PLAN_GET: *version = response->plan_get->version; return 1;
    case SPONA__V1__RESPONSE__BODY_INBOX:
        for (size_t i = 0; i < response->inbox->n_referrals; i++)
            if (strcasecmp(response->inbox->referrals[i]->referral_id, id) == 0) {
                *version = response->inbox->referrals[i]->version;
                return 1;
            }
        return 0;
    default:
        return 0;
    }
}

/* --fresh: reads kind/id's current version from the server. 0, or the exit code. */
static int versions_fetch(struct spona_client *client, const struct settings *settings,
                          const char *kind, char *id, uint64_t *version)
{
    char err[512];
    Spona__V1__PersonGetRequest person = SPONA__V1__PERSON_GET_REQUEST__INIT;
    Spona__V1__CaseGetRequest kase = SPONA__V1__CASE_GET_REQUEST__INIT;
    Spona__V1__PlanGetRequest plan = SPONA__V1__PLAN_GET_REQUEST__INIT;
    Spona__V1__InboxRequest inbox = SPONA__V1__INBOX_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    if (strcmp(kind, "person") == 0) {
        person.person_id = id;
        request.body_case = SPONA__V1__REQUEST__BODY_PERSON_GET, request.person_get = &person;
    } else if (strcmp(kind, "case") == 0) {
        kase.case_id = id;
        request.body_case = SPONA__V1__REQUEST__BODY_CASE_GET, request.case_get = &kase;
    } else if (strcmp(kind, "plan") == 0) {
        plan.case_id = id;
        request.body_case = SPONA__V1__REQUEST__BODY_PLAN_GET, request.plan_get = &plan;
    } else {
        inbox.open_only = 1; /* only the addressee answers a referral: it is in the inbox */
        request.body_case = SPONA__V1__REQUEST__BODY_INBOX, request.inbox = &inbox;
    }
    spona_response *response = spona_client_call(client, &request, err, sizeof(err));
    if (response == NULL)
        return output_error(settings->json, OUTPUT_STATUS_CONNECTION, err, OUTPUT_EXIT_CONNECTION);
    int code = OUTPUT_EXIT_OK;
    *version = 0;
    if (response->status == SPONA__V1__STATUS__OK) {
        versions_note(settings, &request, response);
        if (!versions_from_answer(response, id, version)) {
            snprintf(err, sizeof(err), _("no open referral %s in your inbox"), id);
            code = output_error(settings->json, "NOT_FOUND", err, OUTPUT_EXIT_SERVER_ERROR);
        }
    } else if (!(strcmp(kind, "plan") == 0 && response->status == SPONA__V1__STATUS__NOT_FOUND &&
                 response->message != NULL && strstr(response->message, "no plan yet") != NULL)) {
        code = output_server_error(settings->json, response); /* no plan yet: version 0 */
    }
    envelope_free_response(response);
    return code;
}

int versions_fill(struct spona_client *client, const struct settings *settings,
                  spona_request *request, enum versions_mode mode)
{
    const char *kind, *id;
    if (mode == VERSIONS_GIVEN || !versions_target(request, &kind, &id) || id == NULL)
        return OUTPUT_EXIT_OK;
    uint64_t version = 0;
    if (mode == VERSIONS_FRESH) {
        char copy[64]; /* the request's fields are not const in protobuf-c */
        snprintf(copy, sizeof(copy), "%s", id);
        int code = versions_fetch(client, settings, kind, copy, &version);
        if (code != OUTPUT_EXIT_OK)
            return code;
    } else if (!version_store_get(settings->session_file, kind, id, &version)) {
        char err[512];
        const char *show = strcmp(kind, "referral") == 0 ? "spona inbox" : NULL;
        char command[96];
        if (show == NULL) {
            snprintf(command, sizeof(command), "spona %s show %s", kind, id);
            show = command;
        }
        snprintf(err, sizeof(err),
                 _("no version of %s %s is known here: look at it first (%s), or repeat the "
                   "command with --fresh to change the version it has now"),
                 i18n_code_label("record", kind), id, show);
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    }
    versions_set(request, version);
    return OUTPUT_EXIT_OK;
}

/* "data changed: LABEL, LABEL" for the categories named in list (comma-separated codes). */
static void versions_categories_text(const char *list, char *out, size_t size)
{
    char labels[256] = "", code[64];
    size_t used = 0;
    for (const char *at = list; *at != '\0' && used + 1 < sizeof(labels);) {
        size_t length = strcspn(at, ",");
        snprintf(code, sizeof(code), "%.*s", (int)(length < sizeof(code) ? length : 0), at);
        int written = snprintf(labels + used, sizeof(labels) - used, "%s%s", used > 0 ? ", " : "",
                               i18n_code_label("category", code));
        used += written > 0 ? (size_t)written : 0;
        at += length + (at[length] == ',');
    }
    snprintf(out, size, _("data changed: %s"), labels);
}

/* The words for a conflict's change code (the server's params change, from, to, fields). */
static void versions_change_text(const spona_response *response, char *out, size_t size)
{
    const char *change = i18n_error_param(response, "change");
    if (strcmp(change, "stage_changed") == 0)
        snprintf(out, size, _("the stage moved from %s to %s"),
                 i18n_code_label("stage", i18n_error_param(response, "from")),
                 i18n_code_label("stage", i18n_error_param(response, "to")));
    else if (strcmp(change, "case_closed") == 0)
        snprintf(out, size, "%s", _("the case was closed"));
    else if (strcmp(change, "case_reopened") == 0)
        snprintf(out, size, "%s", _("the case was reopened"));
    else if (strcmp(change, "plan_changed") == 0)
        snprintf(out, size, "%s", _("a new version of the plan was saved"));
    else if (strcmp(change, "referral_accepted") == 0)
        snprintf(out, size, "%s", _("the referral was accepted"));
    else if (strcmp(change, "referral_declined") == 0)
        snprintf(out, size, "%s", _("the referral was declined"));
    else if (strcmp(change, "referral_completed") == 0)
        snprintf(out, size, "%s", _("the referral was completed"));
    else if (strcmp(change, "person_changed") == 0 && i18n_error_param(response, "categories")[0])
        versions_categories_text(i18n_error_param(response, "categories"), out, size);
    else if (strcmp(change, "person_changed") == 0)
        snprintf(out, size, "%s", _("data that you may not read were changed"));
    else
        snprintf(out, size, "%s", _("the record was changed"));
}

void versions_explain_conflict(const spona_response *response)
{
    if (response->error_code == NULL || strcmp(response->error_code, "version_conflict") != 0)
        return;
    const char *institution = i18n_error_param(response, "by_institution");
    if (institution[0] == '\0')
        return; /* a server that does not say who */
    const char *user = i18n_error_param(response, "by_user");
    char who[160], what[256];
    if (user[0] != '\0')
        snprintf(who, sizeof(who), "%s (%s)", user, institution);
    else
        snprintf(who, sizeof(who), "%s", institution);
    versions_change_text(response, what, sizeof(what));
    fflush(stdout);
    fputs("spona: ", stderr);
    output_printf(stderr, _("changed by %s at %s: %s\n"), who,
                  i18n_error_param(response, "at"), what);
}
