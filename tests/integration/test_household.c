/*
 * Integration test: household members and benefit periods (docs/cases.md,
 * "Household members and benefit periods") on the test protocol (testgrad v2).
 * The lead (testgrad.csr, clause 1) sets a person's household and adds benefit
 * periods; person_get and case_get return them to the lead, while the
 * employment bureau (testgrad.zzz), on the same case team but without any
 * clause for benefits_household, gets neither list and a hidden decision, and
 * may not write them. Stale versions are CONFLICT, bad members and periods
 * INVALID_ARGUMENT (nothing stored), and the disclosures report counts the
 * lists as benefits_household data shown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idata.h"

#define M IDATA_MUTABLE
#define OK SPONA__V1__STATUS__OK
#define INVALID SPONA__V1__STATUS__INVALID_ARGUMENT
#define CATEGORY "benefits_household"

static struct itest_server server;
static struct spona_client *lead, *zzz;
static char *person_id, *case_id;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "household", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(zzz);
    free(person_id);
    free(case_id);
    return itest_group_teardown(state);
}

/* --- requests ---------------------------------------------------------------------------- */

struct member {
    const char *name, *relation;
    uint32_t birth_year;
};

static spona_response *household_set(struct spona_client *client, const char *person,
                                      uint64_t version, const struct member *members,
                                      size_t count)
{
    Spona__V1__HouseholdMember items[8], *list[8];
    assert_true(count <= 8);
    for (size_t i = 0; i < count; i++) {
        spona__v1__household_member__init(&items[i]);
        items[i].name = M(members[i].name);
        items[i].relation = M(members[i].relation);
        items[i].birth_year = members[i].birth_year;
        list[i] = &items[i];
    }
    Spona__V1__HouseholdSetRequest body;
    spona__v1__household_set_request__init(&body);
    body.person_id = M(person);
    body.expected_version = version;
    body.members = list;
    body.n_members = count;
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_HOUSEHOLD_SET;
    request.household_set = &body;
    return idata_call(client, &request);
}

static spona_response *benefit_add(struct spona_client *client, const char *person,
                                   uint64_t version, const char *kind, const char *since,
                                   const char *until, const char *amount)
{
    Spona__V1__BenefitPeriod benefit;
    spona__v1__benefit_period__init(&benefit);
    benefit.kind = M(kind);
    benefit.since = M(since);
    benefit.until = M(until);
    benefit.amount = M(amount);
    benefit.note = M("");
    Spona__V1__BenefitAddRequest body;
    spona__v1__benefit_add_request__init(&body);
    body.person_id = M(person);
    body.expected_version = version;
    body.benefit = &benefit;
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_BENEFIT_ADD;
    request.benefit_add = &body;
    return idata_call(client, &request);
}

/* person_get, asserted OK; the caller frees the response. */
static spona_response *person_get_ok(struct spona_client *client, const char *what)
{
    spona_response *r = idata_person_get(client, person_id);
    idata_expect_what(r, OK, what);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_PERSON_GET);
    return r;
}

static uint64_t person_version(void)
{
    spona_response *r = person_get_ok(lead, "person_get by the lead");
    uint64_t version = r->person_get->version;
    envelope_free_response(r);
    assert_int_equal(version, idata_row_version("persons", person_id));
    return version;
}

/* The read decision on benefits_household in a view. */
static const Spona__V1__CategoryDecision *household_decision(const Spona__V1__PersonView *v)
{
    const Spona__V1__CategoryDecision *decision =
        idata_decision(v->decisions, v->n_decisions, CATEGORY, "read");
    assert_non_null(decision);
    return decision;
}

/* --- the members and periods the lead records ----------------------------------------------- */

static const struct member three[] = {
    {"Emina Hodžić", "child", 2015},
    {"Suad Hodžić", "spouse", 1987},
    {"Fata Hodžić", "parent", 0}, /* birth year unknown */
};

/* Asserts view holds the three members (oldest first, unknown last) and both periods. */
static void expect_lists(const Spona__V1__PersonView *view, const char *what)
{
    if (view->n_household != 3 || view->n_benefits != 2)
        fail_msg("%s: %zu members and %zu benefit periods; expected 3 and 2", what,
                 view->n_household, view->n_benefits);
    static const int order[] = {1, 0, 2};
    for (size_t i = 0; i < 3; i++) {
        const Spona__V1__HouseholdMember *member = view->household[i];
        assert_string_equal(member->name, three[order[i]].name);
        assert_string_equal(member->relation, three[order[i]].relation);
        assert_int_equal(member->birth_year, three[order[i]].birth_year);
    }
    const Spona__V1__BenefitPeriod *cash = view->benefits[0], *once = view->benefits[1];
    assert_string_equal(cash->kind, "cash_assistance");
    assert_string_equal(cash->since, "2025-01-01");
    assert_string_equal(cash->until, "");
    assert_string_equal(cash->amount, "250.00");
    assert_string_equal(once->kind, "one_time_assistance");
    assert_string_equal(once->since, "2025-06-01");
    assert_string_equal(once->until, "2025-06-30");
    assert_string_equal(once->amount, "100.00");
    assert_true(household_decision(view)->allowed);
}

/* Asserts the person is still at version, with the three members and both periods. */
static void expect_unchanged(uint64_t version, const char *what)
{
    assert_int_equal(person_version(), version);
    spona_response *r = person_get_ok(lead, what);
    expect_lists(r->person_get, what);
    envelope_free_response(r);
}

static void test_setup_case(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vesna");
    zzz = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    /* no benefits_household field: what the audit shows of that category is the lists */
    const char *pairs[] = {"first_name", "Амра", "last_name", "Хоџић", "jmbg", jmbg, NULL};
    person_id = idata_person_create_ok(lead, pairs);
    case_id = idata_case_open_ok(lead, person_id);
    idata_refer_and_accept(lead, zzz, case_id, "testgrad.zzz");

    /* nothing recorded yet: empty lists, the category visible to the lead */
    spona_response *r = person_get_ok(lead, "person_get before any household");
    assert_int_equal(r->person_get->n_household, 0);
    assert_int_equal(r->person_get->n_benefits, 0);
    assert_true(household_decision(r->person_get)->allowed);
    envelope_free_response(r);
}

static void test_lead_records_and_reads(void **state)
{
    (void)state;
    uint64_t version = person_version();
    /* a first list, then the whole list replaced */
    spona_response *r = household_set(lead, person_id, version, three, 1);
    idata_expect_what(r, OK, "household_set (1 member)");
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_HOUSEHOLD_SET);
    assert_int_equal(r->household_set->version, version + 1);
    assert_int_equal(r->household_set->n_household, 1);
    envelope_free_response(r);
    r = household_set(lead, person_id, version + 1, three, 3);
    idata_expect_what(r, OK, "household_set (3 members)");
    assert_int_equal(r->household_set->version, version + 2);
    assert_int_equal(r->household_set->n_household, 3);
    envelope_free_response(r);

    r = benefit_add(lead, person_id, version + 2, "cash_assistance", "2025-01-01", "", "250.00");
    idata_expect_what(r, OK, "benefit_add cash_assistance");
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_BENEFIT_ADD);
    assert_int_equal(r->benefit_add->version, version + 3);
    assert_int_equal(r->benefit_add->n_benefits, 1);
    envelope_free_response(r);
    r = benefit_add(lead, person_id, version + 3, "one_time_assistance", "2025-06-01",
                    "2025-06-30", "100");
    idata_expect_what(r, OK, "benefit_add one_time_assistance");
    assert_int_equal(r->benefit_add->version, version + 4);
    expect_lists(r->benefit_add, "benefit_add's answer");
    envelope_free_response(r);

    r = person_get_ok(lead, "person_get by the lead");
    assert_int_equal(r->person_get->version, version + 4);
    expect_lists(r->person_get, "person_get by the lead");
    envelope_free_response(r);
    r = idata_case_get(lead, case_id);
    idata_expect_what(r, OK, "case_get by the lead");
    assert_non_null(r->case_get->person);
    expect_lists(r->case_get->person, "case_get by the lead");
    envelope_free_response(r);
}

static void test_hidden_from_the_bureau(void **state)
{
    (void)state;
    spona_response *r = person_get_ok(zzz, "person_get by zzz");
    assert_int_equal(r->person_get->n_household, 0);
    assert_int_equal(r->person_get->n_benefits, 0);
    const Spona__V1__CategoryDecision *decision = household_decision(r->person_get);
    assert_false(decision->allowed);
    if (strstr(decision->reason, CATEGORY) == NULL)
        fail_msg("the hidden decision's reason '%s' does not name " CATEGORY, decision->reason);
    assert_non_null(idata_field(r->person_get, "last_name")); /* identity: clause 2 */
    envelope_free_response(r);

    r = idata_case_get(zzz, case_id);
    idata_expect_what(r, OK, "case_get by zzz");
    assert_non_null(r->case_get->person);
    assert_int_equal(r->case_get->person->n_household, 0);
    assert_int_equal(r->case_get->person->n_benefits, 0);
    envelope_free_response(r);
}

static void test_stale_version(void **state)
{
    (void)state;
    uint64_t version = person_version();
    char current[64];
    snprintf(current, sizeof(current), "current version %llu", (unsigned long long)version);
    spona_response *r = household_set(lead, person_id, version - 1, three, 2);
    idata_expect_what(r, SPONA__V1__STATUS__CONFLICT, "household_set with a stale version");
    if (strstr(r->message, current) == NULL)
        fail_msg("CONFLICT message '%s' does not say '%s'", r->message, current);
    envelope_free_response(r);
    r = benefit_add(lead, person_id, version - 2, "other", "2025-07-01", "", "");
    idata_expect_what(r, SPONA__V1__STATUS__CONFLICT, "benefit_add with a stale version");
    assert_non_null(strstr(r->message, current));
    envelope_free_response(r);

    expect_unchanged(version, "person_get after the conflicts");
}

static void test_invalid(void **state)
{
    (void)state;
    uint64_t version = person_version();
    static const struct {
        struct member member;
        const char *says;
    } members[] = {
        {{"Neko Hodžić", "cousin", 1990}, "relation"},
        {{"Neko Hodžić", "", 1990}, "relation"},
        {{"Neko Hodžić", "sibling", 1899}, "birth_year"},
        {{"Neko Hodžić", "sibling", 2101}, "birth_year"},
        {{"", "sibling", 1990}, "name"},
    };
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        struct member list[] = {three[0], members[i].member};
        spona_response *r = household_set(lead, person_id, version, list, 2);
        char what[96];
        snprintf(what, sizeof(what), "household_set with a bad member (%s)", members[i].says);
        idata_expect_what(r, INVALID, what);
        if (strstr(r->message, members[i].says) == NULL)
            fail_msg("%s: message '%s' does not name %s", what, r->message, members[i].says);
        envelope_free_response(r);
    }
    static const struct {
        const char *kind, *since, *until, *amount, *says;
    } periods[] = {
        {"pension", "2025-01-01", "", "10", "kind"},
        {"", "2025-01-01", "", "10", "kind"},
        {"other", "", "", "10", "since"},
        {"other", "2025-02-30", "", "10", "since"},
        {"other", "01.02.2025", "", "10", "since"},
        {"other", "2025-01-01", "2025-13-01", "10", "until"},
        {"other", "2025-06-01", "2025-05-31", "10", "until"},
        {"other", "2025-01-01", "", "-5", "amount"},
        {"other", "2025-01-01", "", "12.345", "amount"},
        {"other", "2025-01-01", "", "12,50", "amount"},
        {"other", "2025-01-01", "", "abc", "amount"},
        {"other", "2025-01-01", "", ".5", "amount"},
    };
    for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
        spona_response *r = benefit_add(lead, person_id, version, periods[i].kind,
                                        periods[i].since, periods[i].until, periods[i].amount);
        char what[128];
        snprintf(what, sizeof(what), "benefit_add kind '%s' since '%s' until '%s' amount '%s'",
                 periods[i].kind, periods[i].since, periods[i].until, periods[i].amount);
        idata_expect_what(r, INVALID, what);
        if (strstr(r->message, periods[i].says) == NULL)
            fail_msg("%s: message '%s' does not name %s", what, r->message, periods[i].says);
        envelope_free_response(r);
    }
    spona_response *r = household_set(lead, "not-a-uuid", version, three, 1);
    idata_expect_what(r, INVALID, "household_set of a person id that is not a UUID");
    envelope_free_response(r);

    expect_unchanged(version, "person_get after the invalid requests"); /* nothing stored */
}

static void test_bureau_may_not_write(void **state)
{
    (void)state;
    uint64_t version = person_version();
    spona_response *r = household_set(zzz, person_id, version, three, 1);
    idata_expect_what(r, SPONA__V1__STATUS__PERMISSION_DENIED, "household_set by zzz");
    if (strstr(r->message, CATEGORY) == NULL)
        fail_msg("household_set by zzz: reason '%s' does not name " CATEGORY, r->message);
    envelope_free_response(r);
    r = benefit_add(zzz, person_id, version, "other", "2025-07-01", "", "");
    idata_expect_what(r, SPONA__V1__STATUS__PERMISSION_DENIED, "benefit_add by zzz");
    envelope_free_response(r);

    expect_unchanged(version, "person_get after the refusals");
}

static int lists_category(const Spona__V1__Disclosure *disclosure, const char *category)
{
    for (size_t i = 0; i < disclosure->n_categories; i++)
        if (strcmp(disclosure->categories[i], category) == 0)
            return 1;
    return 0;
}

static void test_audit(void **state)
{
    (void)state;
    spona_response *r = idata_disclosures(lead, person_id);
    idata_expect_what(r, OK, "disclosures");
    const Spona__V1__DisclosuresResponse *report = r->disclosures;
    int first_get = 1, lead_gets_with = 0, sets = 0, adds = 0, bureau_gets = 0;
    for (size_t i = 0; i < report->n_disclosures; i++) {
        const Spona__V1__Disclosure *d = report->disclosures[i];
        int listed = lists_category(d, CATEGORY);
        int by_lead = strcmp(d->institution_code, "testgrad.csr") == 0;
        if (strcmp(d->action, "person_get") == 0 && by_lead) {
            /* the first read came before any member or period: nothing of it shown */
            if (first_get && listed)
                fail_msg("person_get #%llu before the household lists " CATEGORY,
                         (unsigned long long)d->seq);
            lead_gets_with += !first_get && listed;
            first_get = 0;
        } else if (strcmp(d->action, "person_get") == 0 ||
                   strcmp(d->action, "case_get") == 0) {
            if (strcmp(d->institution_code, "testgrad.zzz") != 0)
                continue;
            bureau_gets++;
            if (listed)
                fail_msg("%s #%llu by zzz lists " CATEGORY, d->action,
                         (unsigned long long)d->seq);
        } else if (strcmp(d->action, "household_set") == 0) {
            assert_true(by_lead && listed);
            assert_true(d->n_clauses >= 1 && d->clauses[0] == 1);
            sets++;
        } else if (strcmp(d->action, "benefit_add") == 0) {
            assert_true(by_lead && listed);
            adds++;
        }
    }
    assert_int_equal(sets, 2);
    assert_int_equal(adds, 2);
    assert_true(bureau_gets >= 2);
    if (lead_gets_with < 5)
        fail_msg("%d person_get records of the lead list " CATEGORY "; expected at least 5",
                 lead_gets_with);
    envelope_free_response(r);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_case),
        cmocka_unit_test(test_lead_records_and_reads),
        cmocka_unit_test(test_hidden_from_the_bureau),
        cmocka_unit_test(test_stale_version),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_bureau_may_not_write),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
