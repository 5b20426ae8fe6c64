/*
 * Integration test of the leaks closed when the case, lifecycle, exclusion,
 * break-glass and referral handlers moved onto the request pipeline (testgrad
 * protocol v2). Each test fails on the handlers as they were before:
 *
 *  - a user excluded by name (vlado, testgrad.csr) and an excluded institution
 *    (testgrad.zzz) get NOT_FOUND for everything about the case and the person:
 *    case_get, case_exclude, the lifecycle, referrals, answers, break-glass;
 *  - an excluded institution's inbox drops the referrals of every case of the
 *    person, also those of her earlier case;
 *  - the inbox (and an answer's view) shows a referral's measure only when the
 *    addressee may read plan_measures with the person's consent: the NGO sees it
 *    once she consents and no longer after she withdraws; every inbox row is
 *    audited with the person, so her disclosures list the NGO's inbox;
 *  - the team in case_get shows the school neither the NGO (which would tell
 *    which service she gets) nor anything but the lead and itself;
 *  - the coordinator's overdue counts leave out counts of 1 to 4.
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

#define MEASURE_NGO "psihosocijalna podrška nakon nasilja"
#define MEASURE_SCHOOL "upis na prekvalifikaciju"
#define REASON_BREAK_GLASS "Hitna intervencija: prijava nasilja u porodici van radnog vremena"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "case_leaks", NULL);
}

static void expect_status(spona_response *r, spona_status status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: expected %s; got %s, '%s'", what, envelope_status_name(status),
                 envelope_status_name(r->status), r->message);
    envelope_free_response(r);
}

static spona_response *case_exclude(struct spona_client *client, const char *case_id,
                                    const char *institution_code, const char *username)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = IDATA_MUTABLE(case_id);
    body.institution_code = IDATA_MUTABLE(institution_code);
    body.username = IDATA_MUTABLE(username != NULL ? username : "");
    body.reason = IDATA_MUTABLE("sukob interesa u postupku zaštite");
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return idata_call(client, &request);
}

/* A fresh person at risk with an open case led by the lead; returns the case (caller frees). */
static char *person_with_case(struct spona_client *lead, char **person_id)
{
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Curenje", "last_name", "Predmetić", "jmbg", jmbg,
                           "health_notes", "invaliditet", "safety_flag", "true", NULL};
    *person_id = idata_person_create_ok(lead, pairs);
    return idata_case_open_ok(lead, *person_id);
}

/* The referral in the caller's inbox, or NULL; *measure gets a copy of its measure. */
static int inbox_measure(struct spona_client *client, const char *referral_id, char **measure)
{
    spona_response *r = idata_inbox(client, 0);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "inbox");
    int found = 0;
    for (size_t i = 0; i < r->inbox->n_referrals && !found; i++)
        if (strcmp(r->inbox->referrals[i]->referral_id, referral_id) == 0) {
            found = 1;
            if (measure != NULL)
                *measure = strdup(r->inbox->referrals[i]->measure);
        }
    envelope_free_response(r);
    return found;
}

static void assert_inbox_measure(struct spona_client *client, const char *referral_id,
                                 const char *expected, const char *who)
{
    char *measure = NULL;
    if (!inbox_measure(client, referral_id, &measure))
        fail_msg("%s: referral %s is not in the inbox", who, referral_id);
    if (strcmp(measure, expected) != 0)
        fail_msg("%s: the inbox shows measure '%s'; expected '%s'", who, measure, expected);
    free(measure);
}

/* Everything about the case, sent by an excluded caller: NOT_FOUND each time. */
static void assert_shut_out(struct spona_client *client, const char *case_id,
                            const char *referral_id, const char *who)
{
    char what[128];
    snprintf(what, sizeof(what), "case_get by %s", who);
    expect_status(idata_case_get(client, case_id), SPONA__V1__STATUS__NOT_FOUND, what);
    snprintf(what, sizeof(what), "case_exclude by %s", who);
    expect_status(case_exclude(client, case_id, "testgrad.komora", NULL),
                  SPONA__V1__STATUS__NOT_FOUND, what);
    snprintf(what, sizeof(what), "case_advance by %s", who);
    expect_status(idata_case_advance(client, case_id, idata_row_version("cases", case_id),
                                     "assessment"),
                  SPONA__V1__STATUS__NOT_FOUND, what);
    snprintf(what, sizeof(what), "referral_create by %s", who);
    expect_status(idata_referral_create(client, case_id, "testgrad.komora", "mjera"),
                  SPONA__V1__STATUS__NOT_FOUND, what);
    snprintf(what, sizeof(what), "referral_complete by %s", who);
    expect_status(idata_referral_complete(client, referral_id,
                                          idata_row_version("referrals", referral_id), "gotovo"),
                  SPONA__V1__STATUS__NOT_FOUND, what);
}

static void test_excluded_user_gets_not_found_for_everything(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *vlado = idata_login(&server, "csr", "vlado");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    char *person_id;
    char *case_id = person_with_case(lead, &person_id);
    char *referral_id = idata_referral_create_ok(lead, case_id, "testgrad.zzz", "posao", NULL);
    expect_status(idata_referral_accept(zzz, referral_id), SPONA__V1__STATUS__OK, "accept");
    expect_status(case_exclude(lead, case_id, "testgrad.csr", "vlado"), SPONA__V1__STATUS__OK,
                  "exclude vlado");

    assert_shut_out(vlado, case_id, referral_id, "vlado");
    expect_status(idata_person_get(vlado, person_id), SPONA__V1__STATUS__NOT_FOUND,
                  "person_get by vlado");
    /* the lead agency's user may not break the glass into a case he is excluded from */
    expect_status(idata_emergency(vlado, case_id, REASON_BREAK_GLASS, 30),
                  SPONA__V1__STATUS__NOT_FOUND, "break-glass by vlado");
    /* nor undo or extend anything: the exclusion of zzz by vlado never happened */
    expect_status(idata_case_get(zzz, case_id), SPONA__V1__STATUS__OK, "case_get by zzz");
    free(referral_id);
    free(case_id);
    free(person_id);
    spona_client_close(lead);
    spona_client_close(vlado);
    spona_client_close(zzz);
}

static void test_excluded_institution_gets_not_found_for_everything(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    char *person_id;
    char *earlier = person_with_case(lead, &person_id);
    char *earlier_referral = idata_referral_create_ok(lead, earlier, "testgrad.zzz", "obuka", NULL);
    expect_status(idata_referral_accept(zzz, earlier_referral), SPONA__V1__STATUS__OK, "accept");
    expect_status(idata_case_close(lead, earlier, idata_row_version("cases", earlier), "moved",
                                   ""),
                  SPONA__V1__STATUS__OK, "close the earlier case");
    assert_true(inbox_measure(zzz, earlier_referral, NULL));

    char *current = idata_case_open_ok(lead, person_id);
    char *referral_id = idata_referral_create_ok(lead, current, "testgrad.zzz", "posao", NULL);
    expect_status(idata_referral_accept(zzz, referral_id), SPONA__V1__STATUS__OK, "accept");
    expect_status(case_exclude(lead, current, "testgrad.zzz", NULL), SPONA__V1__STATUS__OK,
                  "exclude testgrad.zzz");

    assert_shut_out(zzz, current, referral_id, "zana");
    expect_status(idata_case_get(zzz, earlier), SPONA__V1__STATUS__NOT_FOUND,
                  "case_get of the earlier case by zana");
    /* her inbox holds nothing of the person any more, the earlier case's referral neither */
    assert_false(inbox_measure(zzz, referral_id, NULL));
    assert_false(inbox_measure(zzz, earlier_referral, NULL));
    free(referral_id);
    free(earlier_referral);
    free(current);
    free(earlier);
    free(person_id);
    spona_client_close(lead);
    spona_client_close(zzz);
}

/* How many records of the person's disclosures are the NGO's inbox. */
static size_t ngo_inbox_disclosures(struct spona_client *lead, const char *person_id)
{
    spona_response *r = idata_disclosures(lead, person_id);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "disclosures");
    size_t count = 0;
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *d = r->disclosures->disclosures[i];
        if (strcmp(d->institution_code, "testgrad.ngo") == 0 && strcmp(d->action, "inbox") == 0)
            count++;
    }
    envelope_free_response(r);
    return count;
}

static void test_inbox_shows_the_measure_under_category_and_consent(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *ngo = idata_login(&server, "ngo", "nada");
    struct spona_client *skola = idata_login(&server, "skola", "sanja");
    char *person_id;
    char *case_id = person_with_case(lead, &person_id);
    char *to_ngo = idata_referral_create_ok(lead, case_id, "testgrad.ngo", MEASURE_NGO, NULL);
    char *to_school = idata_referral_create_ok(lead, case_id, "testgrad.skola", MEASURE_SCHOOL,
                                               NULL);

    /* no consent yet: the NGO's clause needs it; the school reads no plan_measures at all */
    assert_inbox_measure(ngo, to_ngo, "", "ngo without consent");
    assert_inbox_measure(skola, to_school, "", "school");
    assert_int_equal(ngo_inbox_disclosures(lead, person_id), 0);

    const char *plan[] = {"plan_measures", NULL};
    expect_status(idata_consent_grant(lead, person_id, "testgrad.ngo", plan, NULL, NULL),
                  SPONA__V1__STATUS__OK, "consent for the NGO");
    assert_inbox_measure(ngo, to_ngo, MEASURE_NGO, "ngo with consent");
    assert_int_equal(ngo_inbox_disclosures(lead, person_id), 1);

    expect_status(idata_consent_withdraw(lead, person_id, "testgrad.ngo", plan),
                  SPONA__V1__STATUS__OK, "consent withdrawn");
    assert_inbox_measure(ngo, to_ngo, "", "ngo after the withdrawal");

    /* the answer's view follows the same rule */
    spona_response *r = idata_referral_decline(ngo, to_ngo, idata_row_version("referrals", to_ngo),
                                               "Nemamo kapaciteta.");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "decline by the NGO");
    assert_string_equal(r->referral_decline->measure, "");
    assert_string_equal(r->referral_decline->status, "declined");
    envelope_free_response(r);
    free(to_ngo);
    free(to_school);
    free(case_id);
    free(person_id);
    spona_client_close(lead);
    spona_client_close(ngo);
    spona_client_close(skola);
}

static int team_has(const spona_response *r, const char *institution_code)
{
    for (size_t i = 0; i < r->case_get->n_team; i++)
        if (strcmp(r->case_get->team[i]->institution_code, institution_code) == 0)
            return 1;
    return 0;
}

static void test_team_list_hides_what_membership_tells(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *ngo = idata_login(&server, "ngo", "nada");
    struct spona_client *skola = idata_login(&server, "skola", "sanja");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    char *person_id;
    char *case_id = person_with_case(lead, &person_id);
    idata_refer_and_accept(lead, ngo, case_id, "testgrad.ngo");
    idata_refer_and_accept(lead, skola, case_id, "testgrad.skola");
    idata_refer_and_accept(lead, zzz, case_id, "testgrad.zzz");

    spona_response *r = idata_case_get(lead, case_id);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_get by the lead");
    assert_true(team_has(r, "testgrad.ngo") && team_has(r, "testgrad.skola"));
    envelope_free_response(r);

    /* the school reads no plan_measures: the lead and itself, not the NGO nor zzz */
    r = idata_case_get(skola, case_id);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_get by the school");
    assert_true(team_has(r, "testgrad.csr"));
    assert_true(team_has(r, "testgrad.skola"));
    assert_false(team_has(r, "testgrad.ngo"));
    assert_false(team_has(r, "testgrad.zzz"));
    envelope_free_response(r);

    /* zzz reads plan_measures (clause 3): the whole team */
    r = idata_case_get(zzz, case_id);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_get by zzz");
    assert_true(team_has(r, "testgrad.ngo") && team_has(r, "testgrad.skola"));
    envelope_free_response(r);
    free(case_id);
    free(person_id);
    spona_client_close(lead);
    spona_client_close(ngo);
    spona_client_close(skola);
    spona_client_close(zzz);
}

static void test_overdue_counts_leave_small_counts_out(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *grad = idata_login(&server, "grad", "goran");
    char *person_id;
    char *case_id = person_with_case(lead, &person_id);
    char *late = idata_referral_create_ok(lead, case_id, "testgrad.komora", "sajam poslova",
                                          "2020-02-01");

    spona_response *r = idata_overdue(grad);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "overdue by the coordinator");
    assert_int_equal(r->overdue->n_referrals, 0);
    for (size_t i = 0; i < r->overdue->n_counts; i++)
        if (r->overdue->counts[i]->overdue < 5)
            fail_msg("the coordinator sees %u overdue referrals of %s (small counts are left "
                     "out)", r->overdue->counts[i]->overdue,
                     r->overdue->counts[i]->institution_code);
    envelope_free_response(r);
    free(late);
    free(case_id);
    free(person_id);
    spona_client_close(lead);
    spona_client_close(grad);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excluded_user_gets_not_found_for_everything),
        cmocka_unit_test(test_excluded_institution_gets_not_found_for_everything),
        cmocka_unit_test(test_inbox_shows_the_measure_under_category_and_consent),
        cmocka_unit_test(test_team_list_hides_what_membership_tells),
        cmocka_unit_test(test_overdue_counts_leave_small_counts_out),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
