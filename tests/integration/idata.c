/*
 * Integration-test support for personal data (see idata.h): request builders for
 * the issue-3 messages, protocol files, fresh JMBGs and libpq access to the
 * harness cluster. Like itest.c it asserts only that the transport worked; the
 * test files hold every assertion about behaviour.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "idata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SPONA_TEST_PROTOCOLS
#error "SPONA_TEST_PROTOCOLS must name tests/integration/protocols"
#endif

/* protobuf-c wants char * for strings it never writes when packing */
#define MUTABLE(text) ((char *)(uintptr_t)(text))

/* The request the builders send, one per thread (a test may call from several threads). */
static _Thread_local spona_request the_request;

/* the_request made afresh with body_case; its body is set by SEND. */
static spona_request *new_request(Spona__V1__Request__BodyCase body_case)
{
    spona__v1__request__init(&the_request);
    the_request.protocol_version = SPONA_PROTOCOL_VERSION;
    the_request.body_case = body_case;
    return &the_request;
}

/*
 * Sends body, a request message the builder filled, as the request's oneof
 * member (SPONA__V1__REQUEST__BODY_<BODY_CASE>); returns the response.
 */
#define SEND(client, BODY_CASE, member, body)                                               \
    (new_request(SPONA__V1__REQUEST__BODY_##BODY_CASE)->member = (body),                    \
     idata_call((client), &the_request))

struct spona_client *idata_login(const struct itest_server *server, const char *cert,
                                 const char *username)
{
    struct spona_client *client = itest_connect_ok(server, cert);
    char *token = itest_login_ok(client, username);
    free(token);
    return client;
}

spona_response *idata_call(struct spona_client *client, spona_request *request)
{
    char err[256] = "";
    request->request_id = 0; /* a fresh id each time */
    spona_response *response = spona_client_call(client, request, err, sizeof(err));
    if (response == NULL)
        fail_msg("%s request got no response: %s", envelope_body_name((int)request->body_case),
                 err);
    return response;
}

void idata_expect(const spona_response *response, spona_status status)
{
    assert_non_null(response);
    if (response->status != status)
        fail_msg("expected %s; got %s, message '%s'", envelope_status_name(status),
                 envelope_status_name(response->status), response->message);
    if (status == SPONA__V1__STATUS__OK)
        assert_int_not_equal(response->body_case, SPONA__V1__RESPONSE__BODY__NOT_SET);
    else
        assert_true(response->message != NULL && response->message[0] != '\0');
}

/* A copy of id, the UUID an OK response carries (caller frees); frees the response. Asserts. */
static char *copy_id(spona_response *response, const char *id)
{
    itest_assert_uuid(id);
    char *copy = strdup(id);
    envelope_free_response(response);
    assert_non_null(copy);
    return copy;
}

/* --- protocol -------------------------------------------------------------------------- */

char *idata_protocol_text(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", SPONA_TEST_PROTOCOLS, name);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t length = 0, size = 0;
    for (;;) {
        if (length + 4096 + 1 > size) {
            size = size == 0 ? 8192 : size * 2;
            text = realloc(text, size);
            assert_non_null(text);
        }
        size_t got = fread(text + length, 1, 4096, file);
        length += got;
        if (got == 0)
            break;
    }
    fclose(file);
    text[length] = '\0';
    return text;
}

spona_response *idata_protocol_import(struct spona_client *client, const char *source,
                                      const char *file_name)
{
    Spona__V1__ProtocolImportRequest body = SPONA__V1__PROTOCOL_IMPORT_REQUEST__INIT;
    body.source = MUTABLE(source);
    body.file_name = MUTABLE(file_name);
    return SEND(client, PROTOCOL_IMPORT, protocol_import, &body);
}

spona_response *idata_protocol_show(struct spona_client *client, uint32_t version)
{
    Spona__V1__ProtocolShowRequest body = SPONA__V1__PROTOCOL_SHOW_REQUEST__INIT;
    body.version = version;
    return SEND(client, PROTOCOL_SHOW, protocol_show, &body);
}

static int version_stored(struct spona_client *client, uint32_t version)
{
    spona_response *show = idata_protocol_show(client, 0);
    int stored = 0;
    if (show->status == SPONA__V1__STATUS__OK && show->body_case ==
                                                     SPONA__V1__RESPONSE__BODY_PROTOCOL_SHOW) {
        for (size_t i = 0; i < show->protocol_show->n_versions; i++)
            if (show->protocol_show->versions[i] == version)
                stored = 1;
    }
    envelope_free_response(show);
    return stored;
}

spona_response *idata_protocol_approve_signed(struct spona_client *client, uint32_t version,
                                              const char *sha256_hex, const uint8_t *signature,
                                              size_t signature_length)
{
    Spona__V1__ProtocolApproveRequest body = SPONA__V1__PROTOCOL_APPROVE_REQUEST__INIT;
    body.version = version;
    body.source_sha256 = MUTABLE(sha256_hex);
    body.signature.data = (uint8_t *)(uintptr_t)signature;
    body.signature.len = signature_length;
    return SEND(client, PROTOCOL_APPROVE, protocol_approve, &body);
}

spona_response *idata_protocol_approve(struct spona_client *client, uint32_t version)
{
    spona_response *show = idata_protocol_show(client, version);
    idata_expect(show, SPONA__V1__STATUS__OK);
    char sha256[65], err[256];
    uint8_t *signature = NULL;
    size_t length = 0;
    if (spona_client_protocol_approval(client, show->protocol_show->municipality_code, version,
                                       show->protocol_show->source, sha256, &signature, &length,
                                       err, sizeof(err)) != 0)
        fail_msg("signing the approval of version %u: %s", version, err);
    envelope_free_response(show);
    spona_response *response = idata_protocol_approve_signed(client, version, sha256, signature,
                                                             length);
    free(signature);
    return response;
}

/* The harness's certificate and a user of each institution that signs a test protocol. */
static const struct {
    const char *institution, *cert, *user;
} approvers[] = {
    {"testgrad.csr", "csr", "ana"},          {"testgrad.csr2", "csr2", "emir"},
    {"testgrad.zzz", "zzz", "zoran"},        {"testgrad.skola", "skola", "sanja"},
    {"testgrad.komora", "komora", "kemal"},  {"testgrad.ngo", "ngo", "nada"},
    {"testgrad.grad", "grad", "goran"},      {"novigrad.csr", "novigrad-csr", "nina"},
    {"novigrad.grad", "novigrad-grad", "nedim"}, {"novigrad.zzz", "novigrad-zzz", "nermin"},
    {"auditgrad.csr", "auditgrad-csr", "ajla"},
};

/* Approves version as institution (logged in for the purpose). */
static void approve_as(const struct itest_server *server, const char *institution,
                       uint32_t version)
{
    for (size_t i = 0; i < sizeof(approvers) / sizeof(approvers[0]); i++) {
        if (strcmp(approvers[i].institution, institution) != 0)
            continue;
        struct spona_client *client = idata_login(server, approvers[i].cert, approvers[i].user);
        spona_response *response = idata_protocol_approve(client, version);
        if (response->status != SPONA__V1__STATUS__OK)
            fail_msg("approval of version %u by %s: %s, '%s'", version, institution,
                     envelope_status_name(response->status), response->message);
        envelope_free_response(response);
        spona_client_close(client);
        return;
    }
    fail_msg("no harness user to approve as %s", institution);
}

void idata_protocol_approve_missing(const struct itest_server *server,
                                    struct spona_client *client, uint32_t version)
{
    spona_response *show = idata_protocol_show(client, version);
    idata_expect(show, SPONA__V1__STATUS__OK);
    for (size_t i = 0; i < show->protocol_show->n_approvals; i++)
        if (!show->protocol_show->approvals[i]->approved)
            approve_as(server, show->protocol_show->approvals[i]->institution, version);
    envelope_free_response(show);
    show = idata_protocol_show(client, version);
    idata_expect(show, SPONA__V1__STATUS__OK);
    assert_true(show->protocol_show->active);
    envelope_free_response(show);
}

void idata_protocol_ensure(const struct itest_server *server, struct spona_client *client,
                           const char *prefix, uint32_t versions)
{
    for (uint32_t version = 1; version <= versions; version++) {
        if (version_stored(client, version))
            continue;
        char name[256];
        snprintf(name, sizeof(name), "%s-v%u.yaml", prefix, version);
        char *source = idata_protocol_text(name);
        spona_response *response = idata_protocol_import(client, source, name);
        free(source);
        if (response->status == SPONA__V1__STATUS__CONFLICT && version_stored(client, version)) {
            envelope_free_response(response); /* another test imported it meanwhile */
            continue;
        }
        if (response->status != SPONA__V1__STATUS__OK)
            fail_msg("importing %s: %s, '%s'", name, envelope_status_name(response->status),
                     response->message);
        assert_int_equal(response->protocol_import->version, version);
        envelope_free_response(response);
    }
    /* an amendment that widens access is in force once its approvals are given */
    for (uint32_t version = 1; version <= versions; version++)
        idata_protocol_approve_missing(server, client, version);
}

/* --- persons --------------------------------------------------------------------------- */

/* Builds a PersonField array from pairs; frees with free_fields. */
static Spona__V1__PersonField **make_fields(const char *const *pairs, size_t *count)
{
    size_t n = 0;
    while (pairs != NULL && pairs[2 * n] != NULL)
        n++;
    *count = n;
    Spona__V1__PersonField **fields = calloc(n + 1, sizeof(*fields));
    assert_non_null(fields);
    for (size_t i = 0; i < n; i++) {
        fields[i] = calloc(1, sizeof(**fields));
        assert_non_null(fields[i]);
        spona__v1__person_field__init(fields[i]);
        fields[i]->name = MUTABLE(pairs[2 * i]);
        fields[i]->value = MUTABLE(pairs[2 * i + 1]);
    }
    return fields;
}

static void free_fields(Spona__V1__PersonField **fields, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(fields[i]);
    free(fields);
}

spona_response *idata_person_create(struct spona_client *client, const char *const *pairs)
{
    Spona__V1__PersonCreateRequest body = SPONA__V1__PERSON_CREATE_REQUEST__INIT;
    body.fields = make_fields(pairs, &body.n_fields);
    spona_response *response = SEND(client, PERSON_CREATE, person_create, &body);
    free_fields(body.fields, body.n_fields);
    return response;
}

char *idata_person_create_ok(struct spona_client *client, const char *const *pairs)
{
    spona_response *response = idata_person_create(client, pairs);
    idata_expect(response, SPONA__V1__STATUS__OK);
    assert_int_equal(response->body_case, SPONA__V1__RESPONSE__BODY_PERSON_CREATE);
    return copy_id(response, response->person_create->person_id);
}

spona_response *idata_person_get(struct spona_client *client, const char *person_id)
{
    Spona__V1__PersonGetRequest body = SPONA__V1__PERSON_GET_REQUEST__INIT;
    body.person_id = MUTABLE(person_id);
    return SEND(client, PERSON_GET, person_get, &body);
}

spona_response *idata_person_update(struct spona_client *client, const char *person_id,
                                    uint64_t expected_version, const char *const *pairs)
{
    Spona__V1__PersonUpdateRequest body = SPONA__V1__PERSON_UPDATE_REQUEST__INIT;
    body.person_id = MUTABLE(person_id);
    body.expected_version = expected_version;
    body.fields = make_fields(pairs, &body.n_fields);
    spona_response *response = SEND(client, PERSON_UPDATE, person_update, &body);
    free_fields(body.fields, body.n_fields);
    return response;
}

const char *idata_field(const Spona__V1__PersonView *view, const char *name)
{
    for (size_t i = 0; view != NULL && i < view->n_fields; i++)
        if (strcmp(view->fields[i]->name, name) == 0)
            return view->fields[i]->value;
    return NULL;
}

const Spona__V1__CategoryDecision *idata_decision(Spona__V1__CategoryDecision *const *decisions,
                                                  size_t count, const char *category,
                                                  const char *action)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(decisions[i]->category, category) == 0 &&
            strcmp(decisions[i]->action, action) == 0)
            return decisions[i];
    return NULL;
}

void idata_fresh_jmbg(char out[14])
{
    static unsigned long long state;
    if (state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)ts.tv_sec ^
                ((unsigned long long)getpid() << 40) ^ 0x9e3779b97f4a7c15ull;
    }
    static const int weights[12] = {7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    for (;;) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        unsigned long long r = state >> 11;
        int day = (int)(r % 28) + 1;
        r /= 28;
        int month = (int)(r % 12) + 1;
        r /= 12;
        int year = 1950 + (int)(r % 55); /* 1950-2004 */
        r /= 55;
        int region = 10 + (int)(r % 10);
        r /= 10;
        int serial = (int)(r % 1000);
        snprintf(out, 14, "%02d%02d%03d%02d%03d", day, month, year % 1000, region, serial);
        int sum = 0;
        for (int i = 0; i < 12; i++)
            sum += weights[i] * (out[i] - '0');
        int m = 11 - sum % 11;
        if (m == 10)
            continue; /* no valid control digit (strict) */
        out[12] = (char)('0' + (m == 11 ? 0 : m));
        out[13] = '\0';
        return;
    }
}

/* --- cases, referrals, consent ------------------------------------------------------------ */

spona_response *idata_case_open(struct spona_client *client, const char *person_id,
                                const char *reason)
{
    Spona__V1__CaseOpenRequest body = SPONA__V1__CASE_OPEN_REQUEST__INIT;
    body.person_id = MUTABLE(person_id);
    body.reason = MUTABLE(reason);
    return SEND(client, CASE_OPEN, case_open, &body);
}

char *idata_case_open_ok(struct spona_client *client, const char *person_id)
{
    spona_response *response = idata_case_open(client, person_id, "integration test intake");
    idata_expect(response, SPONA__V1__STATUS__OK);
    assert_int_equal(response->body_case, SPONA__V1__RESPONSE__BODY_CASE_OPEN);
    return copy_id(response, response->case_open->case_id);
}

spona_response *idata_case_get(struct spona_client *client, const char *case_id)
{
    Spona__V1__CaseGetRequest body = SPONA__V1__CASE_GET_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    return SEND(client, CASE_GET, case_get, &body);
}

spona_response *idata_referral_create(struct spona_client *client, const char *case_id,
                                      const char *institution_code, const char *measure)
{
    return idata_referral_create_due(client, case_id, institution_code, measure, NULL);
}

spona_response *idata_referral_accept(struct spona_client *client, const char *referral_id)
{
    Spona__V1__ReferralAcceptRequest body = SPONA__V1__REFERRAL_ACCEPT_REQUEST__INIT;
    body.referral_id = MUTABLE(referral_id);
    return SEND(client, REFERRAL_ACCEPT, referral_accept, &body);
}

void idata_refer_and_accept(struct spona_client *lead, struct spona_client *partner,
                            const char *case_id, const char *institution_code)
{
    spona_response *created = idata_referral_create(lead, case_id, institution_code,
                                                    "test measure");
    if (created->status != SPONA__V1__STATUS__OK)
        fail_msg("referral_create of case %s to %s: %s, '%s'", case_id, institution_code,
                 envelope_status_name(created->status), created->message);
    itest_assert_uuid(created->referral_create->referral_id);
    spona_response *accepted = idata_referral_accept(partner,
                                                     created->referral_create->referral_id);
    if (accepted->status != SPONA__V1__STATUS__OK)
        fail_msg("referral_accept by %s: %s, '%s'", institution_code,
                 envelope_status_name(accepted->status), accepted->message);
    assert_string_equal(accepted->referral_accept->case_id, case_id);
    envelope_free_response(accepted);
    envelope_free_response(created);
}

static char **string_list(const char *const *items, size_t *count)
{
    size_t n = 0;
    while (items != NULL && items[n] != NULL)
        n++;
    *count = n;
    char **list = calloc(n + 1, sizeof(*list));
    assert_non_null(list);
    for (size_t i = 0; i < n; i++)
        list[i] = MUTABLE(items[i]);
    return list;
}

spona_response *idata_consent_grant(struct spona_client *client, const char *person_id,
                                    const char *institution_code,
                                    const char *const *categories, const char *given_on,
                                    const char *expires_on)
{
    Spona__V1__ConsentGrantRequest body = SPONA__V1__CONSENT_GRANT_REQUEST__INIT;
    body.person_id = MUTABLE(person_id);
    body.institution_code = MUTABLE(institution_code);
    body.categories = string_list(categories, &body.n_categories);
    body.given_on = MUTABLE(given_on != NULL ? given_on : "2024-06-01");
    body.form_reference = MUTABLE("SAG-TEST-001");
    body.expires_on = MUTABLE(expires_on != NULL ? expires_on : "");
    spona_response *response = SEND(client, CONSENT_GRANT, consent_grant, &body);
    free(body.categories);
    return response;
}

spona_response *idata_consent_withdraw(struct spona_client *client, const char *person_id,
                                       const char *institution_code,
                                       const char *const *categories)
{
    Spona__V1__ConsentWithdrawRequest body = SPONA__V1__CONSENT_WITHDRAW_REQUEST__INIT;
    body.person_id = MUTABLE(person_id);
    body.institution_code = MUTABLE(institution_code);
    body.categories = string_list(categories, &body.n_categories);
    spona_response *response = SEND(client, CONSENT_WITHDRAW, consent_withdraw, &body);
    free(body.categories);
    return response;
}

spona_response *idata_consent_list(struct spona_client *client, const char *person_id)
{
    Spona__V1__ConsentListRequest body = SPONA__V1__CONSENT_LIST_REQUEST__INIT;
    body.person_id = MUTABLE(person_id);
    return SEND(client, CONSENT_LIST, consent_list, &body);
}

/* --- explain, audit, emergency -------------------------------------------------------------- */

spona_response *idata_explain(struct spona_client *client, const char *case_id,
                              const char *institution_code)
{
    Spona__V1__ExplainRequest body = SPONA__V1__EXPLAIN_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.institution_code = MUTABLE(institution_code != NULL ? institution_code : "");
    return SEND(client, EXPLAIN, explain, &body);
}

spona_response *idata_audit_verify(struct spona_client *client)
{
    Spona__V1__AuditVerifyRequest body = SPONA__V1__AUDIT_VERIFY_REQUEST__INIT;
    return SEND(client, AUDIT_VERIFY, audit_verify, &body);
}

spona_response *idata_disclosures(struct spona_client *client, const char *person_id)
{
    Spona__V1__DisclosuresRequest body = SPONA__V1__DISCLOSURES_REQUEST__INIT;
    body.person_id = MUTABLE(person_id);
    return SEND(client, DISCLOSURES, disclosures, &body);
}

spona_response *idata_emergency(struct spona_client *client, const char *case_id,
                                const char *reason, uint32_t minutes)
{
    Spona__V1__EmergencyAccessRequest body = SPONA__V1__EMERGENCY_ACCESS_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.reason = MUTABLE(reason);
    body.duration_minutes = minutes;
    return SEND(client, EMERGENCY_ACCESS, emergency_access, &body);
}

/* --- issue 4: the case workflow --------------------------------------------------------------- */

spona_response *idata_person_search(struct spona_client *client, const char *query, int loose,
                                    uint32_t limit)
{
    Spona__V1__PersonSearchRequest body = SPONA__V1__PERSON_SEARCH_REQUEST__INIT;
    body.query = MUTABLE(query);
    body.loose = loose != 0;
    body.limit = limit;
    return SEND(client, PERSON_SEARCH, person_search, &body);
}

spona_response *idata_case_advance(struct spona_client *client, const char *case_id,
                                   uint64_t expected_version, const char *to_stage)
{
    Spona__V1__CaseAdvanceRequest body = SPONA__V1__CASE_ADVANCE_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.expected_version = expected_version;
    body.to_stage = MUTABLE(to_stage);
    return SEND(client, CASE_ADVANCE, case_advance, &body);
}

spona_response *idata_case_close(struct spona_client *client, const char *case_id,
                                 uint64_t expected_version, const char *reason,
                                 const char *note)
{
    Spona__V1__CaseCloseRequest body = SPONA__V1__CASE_CLOSE_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.expected_version = expected_version;
    body.reason = MUTABLE(reason);
    body.note = MUTABLE(note != NULL ? note : "");
    return SEND(client, CASE_CLOSE, case_close, &body);
}

spona_response *idata_case_reopen(struct spona_client *client, const char *case_id,
                                  uint64_t expected_version, const char *reason)
{
    Spona__V1__CaseReopenRequest body = SPONA__V1__CASE_REOPEN_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.expected_version = expected_version;
    body.reason = MUTABLE(reason);
    return SEND(client, CASE_REOPEN, case_reopen, &body);
}

spona_response *idata_assessment_record(struct spona_client *client, const char *case_id,
                                        const char *assessed_on,
                                        const struct idata_domain *domains,
                                        const char *strengths)
{
    size_t n = 0;
    while (domains != NULL && domains[n].domain != NULL)
        n++;
    Spona__V1__AssessmentDomain *items = calloc(n + 1, sizeof(*items));
    Spona__V1__AssessmentDomain **list = calloc(n + 1, sizeof(*list));
    assert_non_null(items);
    assert_non_null(list);
    for (size_t i = 0; i < n; i++) {
        spona__v1__assessment_domain__init(&items[i]);
        items[i].domain = MUTABLE(domains[i].domain);
        items[i].rating = domains[i].rating;
        items[i].notes = MUTABLE(domains[i].notes != NULL ? domains[i].notes : "");
        list[i] = &items[i];
    }
    Spona__V1__AssessmentRecordRequest body = SPONA__V1__ASSESSMENT_RECORD_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.assessed_on = MUTABLE(assessed_on);
    body.domains = list;
    body.n_domains = n;
    body.strengths = MUTABLE(strengths != NULL ? strengths : "");
    spona_response *response = SEND(client, ASSESSMENT_RECORD, assessment_record, &body);
    free(list);
    free(items);
    return response;
}

spona_response *idata_assessment_get(struct spona_client *client, const char *case_id,
                                     uint32_t version)
{
    Spona__V1__AssessmentGetRequest body = SPONA__V1__ASSESSMENT_GET_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.version = version;
    return SEND(client, ASSESSMENT_GET, assessment_get, &body);
}

spona_response *idata_plan_change(struct spona_client *client,
                                  Spona__V1__PlanChangeRequest *body)
{
    return SEND(client, PLAN_CHANGE, plan_change, body);
}

/* A plan change of case_id at expected_version; the caller adds what changes. */
static Spona__V1__PlanChangeRequest plan_change_of(const char *case_id, uint32_t expected_version)
{
    Spona__V1__PlanChangeRequest body = SPONA__V1__PLAN_CHANGE_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.expected_version = expected_version;
    return body;
}

spona_response *idata_plan_add_goal(struct spona_client *client, const char *case_id,
                                    uint32_t expected_version, uint32_t number,
                                    const char *text, const char *target_date)
{
    Spona__V1__PlanGoal goal = SPONA__V1__PLAN_GOAL__INIT;
    goal.number = number;
    goal.text = MUTABLE(text);
    goal.target_date = MUTABLE(target_date);
    Spona__V1__PlanGoal *goals[] = {&goal};
    Spona__V1__PlanChangeRequest body = plan_change_of(case_id, expected_version);
    body.add_goals = goals;
    body.n_add_goals = 1;
    return idata_plan_change(client, &body);
}

spona_response *idata_plan_measure_status(struct spona_client *client, const char *case_id,
                                          uint32_t expected_version, uint32_t number,
                                          const char *status)
{
    Spona__V1__PlanMeasure change = SPONA__V1__PLAN_MEASURE__INIT;
    change.number = number;
    change.status = MUTABLE(status);
    Spona__V1__PlanMeasure *list[] = {&change};
    Spona__V1__PlanChangeRequest body = plan_change_of(case_id, expected_version);
    body.measure_status = list;
    body.n_measure_status = 1;
    return idata_plan_change(client, &body);
}

spona_response *idata_plan_get(struct spona_client *client, const char *case_id,
                               uint32_t version, int printable)
{
    Spona__V1__PlanGetRequest body = SPONA__V1__PLAN_GET_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.version = version;
    body.printable = printable != 0;
    return SEND(client, PLAN_GET, plan_get, &body);
}

spona_response *idata_referral_create_due(struct spona_client *client, const char *case_id,
                                          const char *institution_code, const char *measure,
                                          const char *due_date)
{
    Spona__V1__ReferralCreateRequest body = SPONA__V1__REFERRAL_CREATE_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.institution_code = MUTABLE(institution_code);
    body.measure = MUTABLE(measure);
    body.due_date = MUTABLE(due_date != NULL ? due_date : "");
    return SEND(client, REFERRAL_CREATE, referral_create, &body);
}

char *idata_referral_create_ok(struct spona_client *client, const char *case_id,
                               const char *institution_code, const char *measure,
                               const char *due_date)
{
    spona_response *response = idata_referral_create_due(client, case_id, institution_code,
                                                         measure, due_date);
    idata_expect_what(response, SPONA__V1__STATUS__OK, "referral_create");
    return copy_id(response, response->referral_create->referral_id);
}

spona_response *idata_referral_decline(struct spona_client *client, const char *referral_id,
                                       uint64_t expected_version, const char *reason)
{
    Spona__V1__ReferralDeclineRequest body = SPONA__V1__REFERRAL_DECLINE_REQUEST__INIT;
    body.referral_id = MUTABLE(referral_id);
    body.expected_version = expected_version;
    body.reason = MUTABLE(reason);
    return SEND(client, REFERRAL_DECLINE, referral_decline, &body);
}

spona_response *idata_referral_complete(struct spona_client *client, const char *referral_id,
                                        uint64_t expected_version, const char *result)
{
    Spona__V1__ReferralCompleteRequest body = SPONA__V1__REFERRAL_COMPLETE_REQUEST__INIT;
    body.referral_id = MUTABLE(referral_id);
    body.expected_version = expected_version;
    body.result = MUTABLE(result);
    return SEND(client, REFERRAL_COMPLETE, referral_complete, &body);
}

spona_response *idata_inbox(struct spona_client *client, int open_only)
{
    Spona__V1__InboxRequest body = SPONA__V1__INBOX_REQUEST__INIT;
    body.open_only = open_only != 0;
    return SEND(client, INBOX, inbox, &body);
}

spona_response *idata_overdue(struct spona_client *client)
{
    Spona__V1__OverdueRequest body = SPONA__V1__OVERDUE_REQUEST__INIT;
    return SEND(client, OVERDUE, overdue, &body);
}

spona_response *idata_conference_record(struct spona_client *client, const char *case_id,
                                        const char *held_on,
                                        const char *const *institution_codes,
                                        const char *const *usernames, const char *decisions,
                                        const char *next_steps)
{
    Spona__V1__ConferenceRecordRequest body = SPONA__V1__CONFERENCE_RECORD_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.held_on = MUTABLE(held_on);
    body.institution_codes = string_list(institution_codes, &body.n_institution_codes);
    body.usernames = string_list(usernames, &body.n_usernames);
    body.decisions = MUTABLE(decisions);
    body.next_steps = MUTABLE(next_steps);
    spona_response *response = SEND(client, CONFERENCE_RECORD, conference_record, &body);
    free(body.institution_codes);
    free(body.usernames);
    return response;
}

spona_response *idata_note_add(struct spona_client *client, const char *case_id,
                               const char *text)
{
    Spona__V1__NoteAddRequest body = SPONA__V1__NOTE_ADD_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.text = MUTABLE(text);
    return SEND(client, NOTE_ADD, note_add, &body);
}

spona_response *idata_outcome_record(struct spona_client *client,
                                     Spona__V1__OutcomeRecordRequest *body)
{
    return SEND(client, OUTCOME_RECORD, outcome_record, body);
}

spona_response *idata_follow_up_record(struct spona_client *client, const char *outcome_id,
                                       uint32_t months, const char *checked_on,
                                       int still_employed, const char *note)
{
    Spona__V1__FollowUp follow_up = SPONA__V1__FOLLOW_UP__INIT;
    follow_up.months = months;
    follow_up.checked_on = MUTABLE(checked_on);
    follow_up.still_employed = still_employed != 0;
    follow_up.note = MUTABLE(note != NULL ? note : "");
    Spona__V1__FollowUpRecordRequest body = SPONA__V1__FOLLOW_UP_RECORD_REQUEST__INIT;
    body.outcome_id = MUTABLE(outcome_id);
    body.follow_up = &follow_up;
    return SEND(client, FOLLOW_UP_RECORD, follow_up_record, &body);
}

spona_response *idata_timeline(struct spona_client *client, const char *case_id)
{
    Spona__V1__TimelineRequest body = SPONA__V1__TIMELINE_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    return SEND(client, TIMELINE, timeline, &body);
}

void idata_expect_what(const spona_response *response, spona_status status, const char *what)
{
    assert_non_null(response);
    if (response->status != status)
        fail_msg("%s: expected %s; got %s, message '%s'", what, envelope_status_name(status),
                 envelope_status_name(response->status), response->message);
    if (status == SPONA__V1__STATUS__OK && response->body_case ==
                                               SPONA__V1__RESPONSE__BODY__NOT_SET)
        fail_msg("%s: OK without a body", what);
    if (status != SPONA__V1__STATUS__OK &&
        (response->message == NULL || response->message[0] == '\0'))
        fail_msg("%s: %s without a message", what, envelope_status_name(status));
}

uint64_t idata_row_version(const char *table, const char *id)
{
    static const char *const tables[] = {"cases", "referrals", "persons", "outcomes",
                                         "case_conferences", NULL};
    int known = 0;
    for (size_t i = 0; tables[i] != NULL; i++)
        if (strcmp(tables[i], table) == 0)
            known = 1;
    assert_true(known);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT version FROM %s WHERE id = $1::uuid", table);
    PGconn *superuser = idata_pg_connect("postgres");
    const char *params[] = {id};
    char *value = idata_pg_value(superuser, sql, 1, params);
    PQfinish(superuser);
    uint64_t version = strtoull(value, NULL, 10);
    free(value);
    return version;
}

/* --- PostgreSQL ------------------------------------------------------------------------------- */

PGconn *idata_pg_connect(const char *role)
{
    char path[1024], port[32] = "";
    itest_state_path("db/port", path, sizeof(path));
    FILE *file = fopen(path, "r");
    if (file == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    if (fgets(port, sizeof(port), file) == NULL)
        port[0] = '\0';
    fclose(file);
    port[strcspn(port, "\r\n")] = '\0';
    char conninfo[256];
    snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%s dbname=spona user=%s", port,
             role);
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        char message[512];
        snprintf(message, sizeof(message), "%s", PQerrorMessage(conn));
        PQfinish(conn);
        fail_msg("connecting as %s: %s", role, message);
    }
    return conn;
}

PGresult *idata_pg(PGconn *conn, ExecStatusType expect, const char *sql, int n,
                   const char *const *params)
{
    PGresult *result = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(result) != expect) {
        char message[1024];
        snprintf(message, sizeof(message), "%s", PQresultErrorMessage(result));
        PQclear(result);
        fail_msg("SQL '%s' failed: %s", sql, message);
    }
    return result;
}

char *idata_pg_error(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *result = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        PQclear(result);
        fail_msg("SQL '%s' succeeded; expected an error", sql);
    }
    char *message = strdup(PQresultErrorMessage(result));
    PQclear(result);
    assert_non_null(message);
    return message;
}

char *idata_pg_value(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *result = idata_pg(conn, PGRES_TUPLES_OK, sql, n, params);
    if (PQntuples(result) != 1 || PQnfields(result) != 1) {
        int rows = PQntuples(result);
        PQclear(result);
        fail_msg("SQL '%s' gave %d rows; expected one value", sql, rows);
    }
    char *value = strdup(PQgetvalue(result, 0, 0));
    PQclear(result);
    assert_non_null(value);
    return value;
}

/* A version-4 UUID no earlier run used (keys live 24 hours per user). */
void idata_fresh_key(char out[37])
{
    unsigned char b[16];
    FILE *random = fopen("/dev/urandom", "rb");
    assert_non_null(random);
    assert_int_equal(fread(b, 1, sizeof(b), random), sizeof(b));
    fclose(random);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

void idata_pg_act_as(PGconn *conn, const char *institution, const char *username)
{
    const char *p[] = {institution, username != NULL ? username : ""};
    PGresult *r = idata_pg(
        conn, PGRES_TUPLES_OK,
        "SELECT set_config('spona.municipality_id', i.municipality_id::text, false),"
        "       set_config('spona.institution_id', i.id::text, false),"
        "       set_config('spona.user_id', COALESCE((SELECT u.id::text FROM users u"
        "                   WHERE u.institution_id = i.id AND u.username = $2), ''), false)"
        "  FROM institutions i WHERE i.code = $1",
        2, p);
    assert_int_equal(PQntuples(r), 1);
    PQclear(r);
}
