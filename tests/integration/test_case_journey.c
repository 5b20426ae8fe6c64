/*
 * Integration test: the end-to-end scenario of issue 4 on the test protocol
 * (testgrad v2): one person, named in Cyrillic, from intake to a job across the
 * centre for social work (lead, testgrad.csr), the employment bureau
 * (testgrad.zzz), the school (testgrad.skola) and an NGO (testgrad.ngo), with
 * the policy checked at every step: consent, lifecycle, needs assessment,
 * activation plan, referrals accepted / declined / completed, notes, a case
 * conference, outcomes with a follow-up, the timeline, the printed plan and the
 * close. Then a second person with the safety flag. Who sees what follows
 * docs/cases.md (categories of the records) and the clauses of testgrad-v2.yaml:
 * zzz reads plan_measures and outcomes (clause 3), education_work with consent
 * (clause 4), never health or safety; the school reads education_work with
 * consent (clause 5) and writes outcomes (clause 6); the NGO reads plan_measures
 * and health_disability with consent (clauses 9, 12) and writes notes (clause 10);
 * the coordinator sees no case.
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

static struct itest_server server;
static struct spona_client *lead, *zzz, *skola, *ngo, *grad;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "case_journey", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(zzz);
    spona_client_close(skola);
    spona_client_close(ngo);
    spona_client_close(grad);
    return itest_group_teardown(state);
}

static void test_log_in(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vesna");
    zzz = idata_login(&server, "zzz", "zana");
    skola = idata_login(&server, "skola", "sanja");
    ngo = idata_login(&server, "ngo", "nada");
    grad = idata_login(&server, "grad", "goran");
}

/* --- small checks ---------------------------------------------------------------------- */

static void expect_not_found(spona_response *r, const char *what)
{
    idata_expect_what(r, SPONA__V1__STATUS__NOT_FOUND, what);
    envelope_free_response(r);
}

static int has_text(const char *haystack, const char *needle)
{
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static void expect_stage(struct spona_client *client, const char *case_id, const char *stage)
{
    spona_response *r = idata_case_get(client, case_id);
    idata_expect_what(r, OK, "case_get");
    assert_string_equal(r->case_get->stage, stage);
    envelope_free_response(r);
}

/* The version case_get shows the lead (what case_advance/close/reopen expect). */
static uint64_t case_version(const char *case_id)
{
    spona_response *r = idata_case_get(lead, case_id);
    idata_expect_what(r, OK, "case_get by the lead");
    uint64_t version = r->case_get->version;
    envelope_free_response(r);
    return version;
}

static void advance(const char *case_id, const char *to_stage)
{
    uint64_t version = case_version(case_id);
    spona_response *r = idata_case_advance(lead, case_id, version, to_stage);
    char what[96];
    snprintf(what, sizeof(what), "case_advance to %s (expected_version %llu)", to_stage,
             (unsigned long long)version);
    idata_expect_what(r, OK, what);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_CASE_ADVANCE);
    assert_string_equal(r->case_advance->stage, to_stage);
    assert_string_equal(r->case_advance->case_id, case_id);
    assert_true(r->case_advance->version > version);
    assert_int_equal(r->case_advance->version, idata_row_version("cases", case_id));
    envelope_free_response(r);
}

static void grant(const char *person_id, const char *institution,
                  const char *const *categories)
{
    spona_response *r = idata_consent_grant(lead, person_id, institution, categories, NULL,
                                            NULL);
    idata_expect_what(r, OK, "consent_grant");
    envelope_free_response(r);
}

/* The domain named in an assessment view, or NULL. */
static const Spona__V1__AssessmentDomain *domain_of(const Spona__V1__AssessmentView *view,
                                                    const char *name)
{
    for (size_t i = 0; i < view->n_domains; i++)
        if (strcmp(view->domains[i]->domain, name) == 0)
            return view->domains[i];
    return NULL;
}

/* Asserts which domains a caller's assessment view shows; names end with NULL. */
static void expect_domains(const Spona__V1__AssessmentView *view, const char *const *shown,
                           const char *const *hidden, const char *who)
{
    for (size_t i = 0; shown != NULL && shown[i] != NULL; i++)
        if (domain_of(view, shown[i]) == NULL)
            fail_msg("%s: assessment domain %s is missing", who, shown[i]);
    for (size_t i = 0; hidden != NULL && hidden[i] != NULL; i++) {
        const Spona__V1__AssessmentDomain *d = domain_of(view, hidden[i]);
        if (d != NULL)
            fail_msg("%s: assessment domain %s (rating %u, notes '%s') is shown; it must be "
                     "hidden", who, hidden[i], d->rating, d->notes);
    }
}

static void expect_decision(Spona__V1__CategoryDecision *const *decisions, size_t count,
                            const char *category, int allowed, const char *who)
{
    const Spona__V1__CategoryDecision *d = idata_decision(decisions, count, category, "read");
    if (d == NULL)
        fail_msg("%s: no read decision for %s", who, category);
    if ((d->allowed != 0) != (allowed != 0))
        fail_msg("%s: %s is %s ('%s'); expected %s", who, category,
                 d->allowed ? "allowed" : "hidden", d->reason, allowed ? "allowed" : "hidden");
}

static int team_has(const char *case_id, const char *institution)
{
    spona_response *r = idata_case_get(lead, case_id);
    idata_expect_what(r, OK, "case_get by the lead");
    int found = 0;
    for (size_t i = 0; i < r->case_get->n_team; i++)
        if (strcmp(r->case_get->team[i]->institution_code, institution) == 0)
            found = 1;
    envelope_free_response(r);
    return found;
}

/* The referral in the caller's inbox, or fails; returns a copy of its view's status. */
static void expect_in_inbox(struct spona_client *client, const char *referral_id,
                            const char *case_id, const char *status, const char *who)
{
    spona_response *r = idata_inbox(client, 0);
    idata_expect_what(r, OK, "inbox");
    const Spona__V1__ReferralView *found = NULL;
    for (size_t i = 0; i < r->inbox->n_referrals; i++)
        if (strcmp(r->inbox->referrals[i]->referral_id, referral_id) == 0)
            found = r->inbox->referrals[i];
    if (found == NULL)
        fail_msg("%s: referral %s is not in its inbox (%zu referrals)", who, referral_id,
                 r->inbox->n_referrals);
    assert_string_equal(found->case_id, case_id);
    assert_string_equal(found->status, status);
    envelope_free_response(r);
}

static void accept(struct spona_client *client, const char *referral_id, const char *case_id)
{
    spona_response *r = idata_referral_accept(client, referral_id);
    idata_expect_what(r, OK, "referral_accept");
    assert_string_equal(r->referral_accept->case_id, case_id);
    envelope_free_response(r);
}

/* The outcome recorded; returns its id (caller frees). */
static char *record_outcome(struct spona_client *client, Spona__V1__OutcomeRecordRequest *body,
                            const char *who)
{
    spona_response *r = idata_outcome_record(client, body);
    idata_expect_what(r, OK, who);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_OUTCOME_RECORD);
    assert_string_equal(r->outcome_record->kind, body->kind);
    itest_assert_uuid(r->outcome_record->outcome_id);
    char *id = strdup(r->outcome_record->outcome_id);
    assert_non_null(id);
    envelope_free_response(r);
    return id;
}

/* --- the first person: from intake to a job ------------------------------------------------ */

static const char *const person_fields[] = {"first_name", "Марија", "last_name", "Јовановић",
                                            NULL};

struct journey {
    char jmbg[14];
    char *person_id, *case_id;
    char *to_zzz, *to_skola, *to_ngo, *to_ngo_documents;
    char *training_outcome, *job_outcome;
    uint32_t plan_version;
};

static struct journey j;

/* categories zzz may read on the case with the consent given below */
static const char *const zzz_visible[] = {"identity", "contact_address", "education_work",
                                          "plan_measures", "outcomes",
                                          "" /* case metadata: stages, consents */, NULL};

static int in_list(const char *const *list, const char *item)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], item) == 0)
            return 1;
    return 0;
}

static void test_intake(void **state)
{
    (void)state;
    idata_fresh_jmbg(j.jmbg);
    const char *pairs[] = {
        "first_name", person_fields[1], "last_name", person_fields[3], "jmbg", j.jmbg,
        "address", "Улица Краља Петра 12", "phone", "065 111 222",
        "benefit_status", "novčana pomoć", "household_size", "3", "rural", "true",
        "education_level", "SSS, trgovac", "work_history", "prodavačica 3 godine",
        "skills", "rad na kasi", "disability_status", "nema", "health_notes", "astma",
        "safety_flag", "false", NULL};
    j.person_id = idata_person_create_ok(lead, pairs);
    j.case_id = idata_case_open_ok(lead, j.person_id);
    expect_stage(lead, j.case_id, "intake");

    /* the names come back as written, in Cyrillic */
    spona_response *r = idata_person_get(lead, j.person_id);
    idata_expect_what(r, OK, "person_get by the lead");
    assert_string_equal(idata_field(r->person_get, "first_name"), "Марија");
    assert_string_equal(idata_field(r->person_get, "last_name"), "Јовановић");
    envelope_free_response(r);

    /* consents as the protocol needs them: education for the bureau and the school,
     * the plan, identity and health (psychosocial support) for the NGO */
    const char *const education[] = {"education_work", NULL};
    grant(j.person_id, "testgrad.zzz", education);
    grant(j.person_id, "testgrad.skola", education);
    const char *const ngo_categories[] = {"identity", "contact_address", "plan_measures",
                                          "health_disability", NULL};
    grant(j.person_id, "testgrad.ngo", ngo_categories);

    /* nobody else sees the case yet */
    expect_not_found(idata_case_get(zzz, j.case_id), "case_get by zzz before any referral");
    expect_not_found(idata_case_get(grad, j.case_id), "case_get by the coordinator");
}

static const struct idata_domain assessment_domains[] = {
    {"education_skills", 3, "SSS, bez računarskih vještina"},
    {"work_history", 3, "3 godine u trgovini, 4 godine bez posla"},
    {"health_disability", 2, "astma, kontrolisana"},
    {"housing", 2, "podstanar"},
    {"family_care", 3, "dvoje djece školskog uzrasta"},
    {"finances", 4, "novčana pomoć jedini prihod"},
    {"domestic_violence", 1, "bez indicija"},
    {"transport", 4, "nema prevoz iz sela"},
    {"childcare", 3, "nema vrtića"},
    {NULL, 0, NULL},
};

static void test_assessment(void **state)
{
    (void)state;
    advance(j.case_id, "assessment");
    spona_response *r = idata_assessment_record(lead, j.case_id, "2025-02-10",
                                                assessment_domains,
                                                "motivisana, iskustvo u trgovini");
    idata_expect_what(r, OK, "assessment_record by the lead");
    assert_int_equal(r->assessment_record->version, 1);
    envelope_free_response(r);

    /* the lead sees every domain, each with its category (docs/cases.md) */
    r = idata_assessment_get(lead, j.case_id, 0);
    idata_expect_what(r, OK, "assessment_get by the lead");
    const Spona__V1__AssessmentView *view = r->assessment_get;
    assert_int_equal(view->n_domains, 9);
    static const char *const categories[][2] = {
        {"education_skills", "education_work"}, {"work_history", "education_work"},
        {"health_disability", "health_disability"}, {"housing", "benefits_household"},
        {"family_care", "benefits_household"}, {"finances", "benefits_household"},
        {"domestic_violence", "safety"}, {"transport", "plan_measures"},
        {"childcare", "plan_measures"}};
    for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++) {
        const Spona__V1__AssessmentDomain *d = domain_of(view, categories[i][0]);
        assert_non_null(d);
        if (strcmp(d->category, categories[i][1]) != 0)
            fail_msg("domain %s has category '%s'; docs/cases.md says %s", categories[i][0],
                     d->category, categories[i][1]);
    }
    assert_int_equal(domain_of(view, "finances")->rating, 4);
    assert_string_equal(domain_of(view, "health_disability")->notes, "astma, kontrolisana");
    assert_string_equal(view->strengths, "motivisana, iskustvo u trgovini");
    assert_string_equal(view->assessed_on, "2025-02-10");
    assert_string_equal(view->assessor, "vesna");
    envelope_free_response(r);

    /* only the lead records an assessment; the coordinator sees none */
    expect_not_found(idata_assessment_get(grad, j.case_id, 0),
                     "assessment_get by the coordinator");
    advance(j.case_id, "planning");
}

static void test_plan(void **state)
{
    (void)state;
    Spona__V1__PlanGoal goals[2];
    Spona__V1__PlanGoal *goal_list[2] = {&goals[0], &goals[1]};
    static const char *const goal_text[2][2] = {
        {"Završiti obuku za CNC operatera", "2025-06-30"},
        {"Zaposlenje u metalskoj industriji", "2025-12-31"}};
    for (int i = 0; i < 2; i++) {
        spona__v1__plan_goal__init(&goals[i]);
        goals[i].number = (uint32_t)i + 1;
        goals[i].text = M(goal_text[i][0]);
        goals[i].target_date = M(goal_text[i][1]);
    }
    Spona__V1__PlanMeasure measures[3];
    Spona__V1__PlanMeasure *measure_list[3] = {&measures[0], &measures[1], &measures[2]};
    static const char *const measure_text[3][4] = {
        {"training", "Obuka CNC operater, 3 mjeseca", "testgrad.skola", "2025-06-30"},
        {"job_search_support", "Posredovanje i sajmovi zapošljavanja", "testgrad.zzz",
         "2025-12-31"},
        {"psychosocial_support", "Grupa podrške, 8 susreta", "testgrad.ngo", "2025-05-31"}};
    for (int i = 0; i < 3; i++) {
        spona__v1__plan_measure__init(&measures[i]);
        measures[i].number = (uint32_t)i + 1;
        measures[i].kind = M(measure_text[i][0]);
        measures[i].description = M(measure_text[i][1]);
        measures[i].responsible_institution_code = M(measure_text[i][2]);
        measures[i].due_date = M(measure_text[i][3]);
    }
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = j.case_id;
    body.expected_version = 0;
    body.add_goals = goal_list;
    body.n_add_goals = 2;
    body.add_measures = measure_list;
    body.n_add_measures = 3;
    body.review_date = M("2025-09-01");
    body.obligations = M("Redovno dolaziti na obuku i javljati se Zavodu.");
    spona_response *r = idata_plan_change(lead, &body);
    idata_expect_what(r, OK, "plan_change by the lead (first plan)");
    const Spona__V1__PlanView *plan = r->plan_change;
    assert_int_equal(plan->version, 1);
    assert_int_equal(plan->n_goals, 2);
    assert_int_equal(plan->n_measures, 3);
    assert_string_equal(plan->goals[0]->status, "open");
    assert_string_equal(plan->measures[1]->responsible_institution_code, "testgrad.zzz");
    assert_string_equal(plan->measures[2]->status, "planned");
    j.plan_version = plan->version;
    envelope_free_response(r);
    expect_not_found(idata_plan_get(grad, j.case_id, 0, 0), "plan_get by the coordinator");
    advance(j.case_id, "implementation");
}

static void test_referrals_accepted(void **state)
{
    (void)state;
    j.to_zzz = idata_referral_create_ok(lead, j.case_id, "testgrad.zzz", "job_search_support",
                                        "2031-12-31");
    j.to_skola = idata_referral_create_ok(lead, j.case_id, "testgrad.skola", "training",
                                          "2031-06-30");
    j.to_ngo = idata_referral_create_ok(lead, j.case_id, "testgrad.ngo", "psychosocial_support",
                                        "2031-05-31");

    /* each partner finds its referral in its inbox, and only its own */
    expect_in_inbox(zzz, j.to_zzz, j.case_id, "sent", "zzz");
    expect_in_inbox(skola, j.to_skola, j.case_id, "sent", "skola");
    expect_in_inbox(ngo, j.to_ngo, j.case_id, "sent", "ngo");
    spona_response *r = idata_inbox(zzz, 0);
    idata_expect_what(r, OK, "inbox by zzz");
    for (size_t i = 0; i < r->inbox->n_referrals; i++)
        assert_string_equal(r->inbox->referrals[i]->institution_code, "testgrad.zzz");
    envelope_free_response(r);

    accept(zzz, j.to_zzz, j.case_id);
    accept(skola, j.to_skola, j.case_id);
    accept(ngo, j.to_ngo, j.case_id);
    expect_in_inbox(zzz, j.to_zzz, j.case_id, "accepted", "zzz");
    assert_true(team_has(j.case_id, "testgrad.zzz"));
    assert_true(team_has(j.case_id, "testgrad.skola"));
    assert_true(team_has(j.case_id, "testgrad.ngo"));
    expect_not_found(idata_case_get(grad, j.case_id), "case_get by the coordinator");
}

static void test_who_sees_the_assessment(void **state)
{
    (void)state;
    /* zzz: education and work history (consent, clause 4) and the barriers (plan_measures,
     * clause 3); never health, domestic violence, housing or finances */
    spona_response *r = idata_assessment_get(zzz, j.case_id, 0);
    idata_expect_what(r, OK, "assessment_get by zzz");
    const char *const zzz_shown[] = {"education_skills", "work_history", "transport",
                                     "childcare", NULL};
    const char *const zzz_hidden[] = {"health_disability", "domestic_violence", "housing",
                                      "family_care", "finances", NULL};
    expect_domains(r->assessment_get, zzz_shown, zzz_hidden, "zzz");
    expect_decision(r->assessment_get->decisions, r->assessment_get->n_decisions,
                    "health_disability", 0, "zzz");
    expect_decision(r->assessment_get->decisions, r->assessment_get->n_decisions, "safety", 0,
                    "zzz");
    expect_decision(r->assessment_get->decisions, r->assessment_get->n_decisions,
                    "education_work", 1, "zzz");
    assert_string_equal(r->assessment_get->strengths, "motivisana, iskustvo u trgovini");
    envelope_free_response(r);

    /* the NGO: health with consent (clause 12), the barriers (clause 9); not the rest */
    r = idata_assessment_get(ngo, j.case_id, 0);
    idata_expect_what(r, OK, "assessment_get by the NGO");
    const char *const ngo_shown[] = {"health_disability", "transport", NULL};
    const char *const ngo_hidden[] = {"domestic_violence", "education_skills", "work_history",
                                      "finances", NULL};
    expect_domains(r->assessment_get, ngo_shown, ngo_hidden, "ngo");
    envelope_free_response(r);

    /* the school: education with consent (clause 5), no barriers, health or safety */
    r = idata_assessment_get(skola, j.case_id, 0);
    if (r->status == OK) {
        const char *const skola_shown[] = {"education_skills", "work_history", NULL};
        const char *const skola_hidden[] = {"health_disability", "domestic_violence",
                                            "transport", "finances", NULL};
        expect_domains(r->assessment_get, skola_shown, skola_hidden, "skola");
    } else {
        idata_expect_what(r, OK, "assessment_get by the school");
    }
    envelope_free_response(r);

    /* the person as zzz sees it: education yes, health no */
    r = idata_person_get(zzz, j.person_id);
    idata_expect_what(r, OK, "person_get by zzz");
    assert_non_null(idata_field(r->person_get, "skills"));
    assert_null(idata_field(r->person_get, "health_notes"));
    assert_null(idata_field(r->person_get, "safety_flag"));
    envelope_free_response(r);
}

static void test_who_sees_the_plan(void **state)
{
    (void)state;
    /* zzz reads the plan (clause 3), the NGO with consent (clause 9) */
    struct spona_client *readers[] = {zzz, ngo};
    for (size_t i = 0; i < 2; i++) {
        spona_response *r = idata_plan_get(readers[i], j.case_id, 0, 0);
        idata_expect_what(r, OK, i == 0 ? "plan_get by zzz" : "plan_get by the NGO");
        assert_int_equal(r->plan_get->version, j.plan_version);
        assert_int_equal(r->plan_get->n_goals, 2);
        assert_int_equal(r->plan_get->n_measures, 3);
        envelope_free_response(r);
    }
    /* the school has no clause to read plan_measures */
    spona_response *r = idata_plan_get(skola, j.case_id, 0, 0);
    if (r->status == OK)
        assert_true(r->plan_get->n_goals == 0 && r->plan_get->n_measures == 0);
    else
        idata_expect_what(r, SPONA__V1__STATUS__PERMISSION_DENIED, "plan_get by the school");
    envelope_free_response(r);

    /* zzz starts its own measure (number 2) */
    r = idata_plan_measure_status(zzz, j.case_id, j.plan_version, 2, "in_progress");
    idata_expect_what(r, OK, "plan_change by zzz: the status of its own measure");
    assert_int_equal(r->plan_change->version, j.plan_version + 1);
    assert_string_equal(r->plan_change->measures[1]->status, "in_progress");
    assert_int_equal(r->plan_change->n_goals, 2);
    j.plan_version = r->plan_change->version;
    envelope_free_response(r);
}

static void test_notes_and_conference(void **state)
{
    (void)state;
    spona_response *r = idata_note_add(ngo, j.case_id, "Prvi susret grupe podrške obavljen.");
    idata_expect_what(r, OK, "note_add by the NGO (clause 10)");
    assert_string_equal(r->note_add->institution_code, "testgrad.ngo");
    assert_string_equal(r->note_add->author, "nada");
    envelope_free_response(r);
    r = idata_note_add(lead, j.case_id, "Korisnica redovno dolazi na obuku.");
    idata_expect_what(r, OK, "note_add by the lead");
    envelope_free_response(r);
    /* the bureau has no clause to write notes */
    r = idata_note_add(zzz, j.case_id, "Bilješka Zavoda");
    idata_expect_what(r, SPONA__V1__STATUS__PERMISSION_DENIED, "note_add by zzz");
    envelope_free_response(r);

    const char *const institutions[] = {"testgrad.csr", "testgrad.zzz", "testgrad.skola",
                                        "testgrad.ngo", NULL};
    const char *const users[] = {"vesna", "zana", "sanja", "nada", NULL};
    r = idata_conference_record(lead, j.case_id, "2025-03-15", institutions, users,
                                "Nastaviti obuku; Zavod traži poslodavca.",
                                "Sastanak nakon završene obuke.");
    idata_expect_what(r, OK, "conference_record by the lead");
    assert_int_equal(r->conference_record->n_institution_codes, 4);
    assert_string_equal(r->conference_record->held_on, "2025-03-15");
    envelope_free_response(r);
}

/* Returns the index of category in a timeline's hidden list, or -1. */
static int hidden_index(const Spona__V1__TimelineResponse *t, const char *category)
{
    for (size_t i = 0; i < t->n_hidden_categories; i++)
        if (strcmp(t->hidden_categories[i], category) == 0)
            return (int)i;
    return -1;
}

static size_t events_in(const Spona__V1__TimelineResponse *t, const char *category)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_events; i++)
        if (strcmp(t->events[i]->category, category) == 0)
            n++;
    return n;
}

static size_t events_of_kind(const Spona__V1__TimelineResponse *t, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_events; i++)
        if (strcmp(t->events[i]->kind, kind) == 0)
            n++;
    return n;
}

static void test_timeline_by_who_sees_what(void **state)
{
    (void)state;
    spona_response *full = idata_timeline(lead, j.case_id);
    idata_expect_what(full, OK, "timeline by the lead");
    spona_response *part = idata_timeline(zzz, j.case_id);
    idata_expect_what(part, OK, "timeline by zzz");
    const Spona__V1__TimelineResponse *all = full->timeline, *some = part->timeline;

    /* the lead sees every event: nothing hidden */
    if (all->n_hidden_categories != 0)
        fail_msg("the lead's timeline hides %s", all->hidden_categories[0]);
    static const char *const kinds[] = {"case_opened", "stage_changed", "assessment",
                                        "plan_version", "referral", "note", "conference"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (events_of_kind(all, kinds[i]) == 0)
            fail_msg("the lead's timeline has no %s event", kinds[i]);
    assert_true(events_of_kind(all, "stage_changed") >= 3);
    for (size_t i = 1; i < all->n_events; i++)
        if (strcmp(all->events[i - 1]->at, all->events[i]->at) > 0)
            fail_msg("timeline out of order: %s before %s", all->events[i - 1]->at,
                     all->events[i]->at);
    assert_true(events_in(all, "case_notes") >= 3); /* two notes, one conference */

    /* zzz: every event of a category it reads, none of the others, which are named */
    for (size_t i = 0; i < some->n_events; i++)
        if (!in_list(zzz_visible, some->events[i]->category))
            fail_msg("zzz's timeline shows a %s event of category %s ('%s')",
                     some->events[i]->kind, some->events[i]->category,
                     some->events[i]->summary);
    for (size_t i = 0; i < all->n_events; i++) {
        const char *category = all->events[i]->category;
        if (in_list(zzz_visible, category)) {
            if (events_in(some, category) != events_in(all, category))
                fail_msg("zzz's timeline has %zu %s events, the lead's %zu",
                         events_in(some, category), category, events_in(all, category));
        } else if (hidden_index(some, category) < 0) {
            fail_msg("zzz's timeline omits %s events but does not list %s in "
                     "hidden_categories", category, category);
        }
    }
    assert_true(hidden_index(some, "case_notes") >= 0);
    for (size_t i = 0; i < some->n_hidden_categories; i++)
        if (in_list(zzz_visible, some->hidden_categories[i]))
            fail_msg("zzz's timeline calls %s hidden", some->hidden_categories[i]);
    envelope_free_response(part);
    envelope_free_response(full);

    expect_not_found(idata_timeline(grad, j.case_id), "timeline by the coordinator");
}

static void test_ngo_declines_and_leaves(void **state)
{
    (void)state;
    /* a second referral, still sent when the NGO completes the first: it stays on the
     * team while one of its referrals is open (sent or accepted) */
    j.to_ngo_documents = idata_referral_create_ok(lead, j.case_id, "testgrad.ngo", "documents",
                                                  "2031-04-30");
    uint64_t version = idata_row_version("referrals", j.to_ngo);
    spona_response *r = idata_referral_complete(ngo, j.to_ngo, version,
                                                "Održano 8 susreta grupe podrške.");
    idata_expect_what(r, OK, "referral_complete of its psychosocial referral by the NGO");
    envelope_free_response(r);
    r = idata_case_get(ngo, j.case_id);
    idata_expect_what(r, OK, "case_get by the NGO with a sent referral still open");
    envelope_free_response(r);
    assert_true(team_has(j.case_id, "testgrad.ngo"));

    /* declining the other, its last open referral: it leaves the team */
    version = idata_row_version("referrals", j.to_ngo_documents);
    r = idata_referral_decline(ngo, j.to_ngo_documents, version,
                               "Ne pružamo pomoć oko dokumenata.");
    idata_expect_what(r, OK, "referral_decline of a sent referral by the NGO");
    assert_string_equal(r->referral_decline->status, "declined");
    assert_string_equal(r->referral_decline->reason, "Ne pružamo pomoć oko dokumenata.");
    envelope_free_response(r);
    assert_false(team_has(j.case_id, "testgrad.ngo"));
    expect_not_found(idata_case_get(ngo, j.case_id), "case_get by the NGO after it left");
    expect_not_found(idata_timeline(ngo, j.case_id), "timeline by the NGO after it left");
    r = idata_note_add(ngo, j.case_id, "Još jedna bilješka");
    idata_expect_what(r, SPONA__V1__STATUS__NOT_FOUND, "note_add by the NGO after it left");
    envelope_free_response(r);

    /* row-level security (sql/006): the NGO's own note stays visible to it, nothing else */
    PGconn *app = idata_pg_connect("spona_app");
    const char *codes[] = {"testgrad", "testgrad.ngo"};
    PGresult *set = idata_pg(app, PGRES_TUPLES_OK,
                             "SELECT set_config('spona.municipality_id',"
                             " (SELECT id::text FROM municipalities WHERE code = $1), false),"
                             " set_config('spona.institution_id',"
                             " (SELECT id::text FROM institutions WHERE code = $2), false)",
                             2, codes);
    PQclear(set);
    const char *id[] = {j.case_id};
    char *notes = idata_pg_value(app, "SELECT count(*) FROM case_notes WHERE case_id = $1::uuid",
                                 1, id);
    /* (its text through the category-aware view, sql/025: the writer reads what it wrote) */
    char *texts = idata_pg_value(app, "SELECT string_agg(text, '|') FROM case_notes_for_caller"
                                      " WHERE case_id = $1::uuid", 1, id);
    char *cases = idata_pg_value(app, "SELECT count(*) FROM cases WHERE id = $1::uuid", 1, id);
    char *plans = idata_pg_value(app, "SELECT count(*) FROM plans WHERE case_id = $1::uuid", 1,
                                 id);
    assert_string_equal(notes, "1");
    assert_string_equal(texts, "Prvi susret grupe podrške obavljen.");
    assert_string_equal(cases, "0");
    assert_string_equal(plans, "0");
    free(notes);
    free(texts);
    free(cases);
    free(plans);
    PQfinish(app);
}

static void test_training_completed(void **state)
{
    (void)state;
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = j.case_id;
    body.kind = M("training_completed");
    body.occurred_on = M("2025-06-27");
    body.certificate = M("Uvjerenje br. 117/2025, CNC operater");
    j.training_outcome = record_outcome(skola, &body, "outcome_record by the school (clause 6)");

    uint64_t version = idata_row_version("referrals", j.to_skola);
    spona_response *r = idata_referral_complete(skola, j.to_skola, version,
                                                "Obuka završena, uvjerenje izdato.");
    idata_expect_what(r, OK, "referral_complete by the school");
    assert_string_equal(r->referral_complete->status, "completed");
    assert_string_equal(r->referral_complete->result, "Obuka završena, uvjerenje izdato.");
    envelope_free_response(r);
    /* its last referral: the school's access ends */
    assert_false(team_has(j.case_id, "testgrad.skola"));
    expect_not_found(idata_case_get(skola, j.case_id), "case_get by the school after it left");
    expect_in_inbox(skola, j.to_skola, j.case_id, "completed", "skola");
}

static void test_job(void **state)
{
    (void)state;
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = j.case_id;
    body.kind = M("employed");
    body.occurred_on = M("2025-08-01");
    body.employer = M("Metal d.o.o. Testgrad");
    body.contract_type = M("fixed_term");
    body.pathway = M("integrated_case_management");
    j.job_outcome = record_outcome(zzz, &body, "outcome_record by zzz (clause 3)");

    /* the measure done, the referral completed: zzz leaves the team too */
    spona_response *r = idata_plan_measure_status(zzz, j.case_id, j.plan_version, 2, "done");
    idata_expect_what(r, OK, "plan_change by zzz: its measure done");
    j.plan_version = r->plan_change->version;
    envelope_free_response(r);

    /* zana accepted it; her colleague zoran completes it (the timeline names both) */
    struct spona_client *zoran = idata_login(&server, "zzz", "zoran");
    uint64_t version = idata_row_version("referrals", j.to_zzz);
    r = idata_referral_complete(zoran, j.to_zzz, version, "Zaposlena u Metal d.o.o.");
    idata_expect_what(r, OK, "referral_complete by zoran of zzz");
    envelope_free_response(r);
    spona_client_close(zoran);
    assert_false(team_has(j.case_id, "testgrad.zzz"));
    expect_not_found(idata_case_get(zzz, j.case_id), "case_get by zzz after it left");

    /* the lead follows up at three months */
    r = idata_follow_up_record(lead, j.job_outcome, 3, "2025-11-03", 1, "i dalje radi");
    idata_expect_what(r, OK, "follow_up_record by the lead");
    assert_int_equal(r->follow_up_record->n_follow_ups, 1);
    assert_int_equal(r->follow_up_record->follow_ups[0]->months, 3);
    assert_true(r->follow_up_record->follow_ups[0]->still_employed);
    assert_string_equal(r->follow_up_record->employer, "Metal d.o.o. Testgrad");
    assert_string_equal(r->follow_up_record->pathway, "integrated_case_management");
    assert_string_equal(r->follow_up_record->recorded_by_institution, "testgrad.zzz");
    envelope_free_response(r);
}

static void test_plan_print(void **state)
{
    (void)state;
    spona_response *r = idata_plan_get(lead, j.case_id, 0, 1);
    idata_expect_what(r, OK, "plan_get printable by the lead");
    const Spona__V1__PlanView *plan = r->plan_get;
    assert_int_equal(plan->version, j.plan_version);
    assert_int_equal(plan->n_versions, j.plan_version);
    const char *doc = plan->document;
    if (!has_text(doc, "Završiti obuku za CNC operatera") ||
        !has_text(doc, "Zaposlenje u metalskoj industriji"))
        fail_msg("the printed plan lacks a goal:\n%s", doc);
    if (!has_text(doc, "Obuka CNC operater, 3 mjeseca"))
        fail_msg("the printed plan lacks a measure:\n%s", doc);
    if (!has_text(doc, "Јовановић"))
        fail_msg("the printed plan does not name the person:\n%s", doc);
    if (!has_text(doc, "____"))
        fail_msg("the printed plan has no signature lines:\n%s", doc);
    envelope_free_response(r);
    /* an earlier version stays readable */
    r = idata_plan_get(lead, j.case_id, 1, 0);
    idata_expect_what(r, OK, "plan_get version 1");
    assert_int_equal(r->plan_get->version, 1);
    assert_string_equal(r->plan_get->measures[1]->status, "planned");
    envelope_free_response(r);
}

/* One answer to a referral as the timeline should show it. */
struct expected_answer {
    const char *answer; /* "accepted", "declined", "completed" */
    const char *institution_code;
    const char *username;
};

/*
 * Fails unless the timeline's referral_answer events of referral_id are exactly
 * expected (count of them), in this order, each by its own user at its own time.
 */
static void expect_answers(const Spona__V1__TimelineResponse *t, const char *referral_id,
                           const struct expected_answer *expected, size_t count)
{
    size_t seen = 0;
    const char *previous_at = "";
    for (size_t i = 0; i < t->n_events; i++) {
        const Spona__V1__TimelineEvent *e = t->events[i];
        if (strcmp(e->kind, "referral_answer") != 0 || strcmp(e->record_id, referral_id) != 0)
            continue;
        if (seen == count)
            fail_msg("referral %s: an unexpected answer '%s' at %s", referral_id, e->summary,
                     e->at);
        char words[64];
        snprintf(words, sizeof(words), " %s the referral", expected[seen].answer);
        if (!has_text(e->summary, words))
            fail_msg("referral %s: answer %zu is '%s', expected it %s", referral_id, seen + 1,
                     e->summary, expected[seen].answer);
        assert_string_equal(e->institution_code, expected[seen].institution_code);
        assert_string_equal(e->username, expected[seen].username);
        assert_string_equal(e->category, "plan_measures");
        if (strcmp(previous_at, e->at) > 0)
            fail_msg("referral %s: answer %s at %s after one at %s", referral_id,
                     expected[seen].answer, e->at, previous_at);
        previous_at = e->at;
        seen++;
    }
    if (seen != count)
        fail_msg("referral %s: %zu answers on the timeline, expected %zu", referral_id, seen,
                 count);
}

static void test_review_and_close(void **state)
{
    (void)state;
    advance(j.case_id, "review");
    uint64_t version = case_version(j.case_id);
    spona_response *r = idata_case_close(lead, j.case_id, version, "employed",
                                         "Zaposlena nakon obuke.");
    idata_expect_what(r, OK, "case_close with reason employed");
    assert_string_equal(r->case_close->stage, "closed");
    envelope_free_response(r);
    expect_stage(lead, j.case_id, "closed");

    /* the whole story, for the lead, in order */
    r = idata_timeline(lead, j.case_id);
    idata_expect_what(r, OK, "timeline by the lead at the end");
    static const char *const kinds[] = {"case_opened", "stage_changed", "assessment",
                                        "plan_version", "referral", "referral_answer",
                                        "conference", "note", "outcome", "follow_up",
                                        "case_closed"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (events_of_kind(r->timeline, kinds[i]) == 0)
            fail_msg("the final timeline has no %s event", kinds[i]);
    assert_int_equal(r->timeline->n_hidden_categories, 0);
    for (size_t i = 1; i < r->timeline->n_events; i++)
        if (strcmp(r->timeline->events[i - 1]->at, r->timeline->events[i]->at) > 0)
            fail_msg("final timeline out of order: %s before %s",
                     r->timeline->events[i - 1]->at, r->timeline->events[i]->at);
    /* one event per answer, each with its own time and user */
    static const struct expected_answer zzz_answers[] = {
        {"accepted", "testgrad.zzz", "zana"}, {"completed", "testgrad.zzz", "zoran"}};
    expect_answers(r->timeline, j.to_zzz, zzz_answers, 2);
    static const struct expected_answer skola_answers[] = {
        {"accepted", "testgrad.skola", "sanja"}, {"completed", "testgrad.skola", "sanja"}};
    expect_answers(r->timeline, j.to_skola, skola_answers, 2);
    static const struct expected_answer ngo_declined[] = {
        {"declined", "testgrad.ngo", "nada"}};
    expect_answers(r->timeline, j.to_ngo_documents, ngo_declined, 1);
    /* the follow-up: when and by whom it was recorded, the date checked in its summary */
    size_t follow_ups = 0;
    for (size_t i = 0; i < r->timeline->n_events; i++) {
        const Spona__V1__TimelineEvent *e = r->timeline->events[i];
        if (strcmp(e->kind, "follow_up") != 0)
            continue;
        follow_ups++;
        assert_string_equal(e->record_id, j.job_outcome);
        assert_string_equal(e->username, "vesna");
        assert_string_equal(e->institution_code, "testgrad.csr");
        if (!has_text(e->summary, "3-month follow-up of employed on 2025-11-03"))
            fail_msg("the follow-up's summary is '%s'", e->summary);
    }
    assert_int_equal(follow_ups, 1);
    const Spona__V1__TimelineEvent *last = r->timeline->events[r->timeline->n_events - 1];
    assert_string_equal(last->kind, "case_closed");
    envelope_free_response(r);
    /* nobody but the lead is left on the team; the coordinator never saw it */
    expect_not_found(idata_case_get(grad, j.case_id), "case_get by the coordinator");
    /* every read and write of the case was audited, the refusals too, named after the
     * request; zzz's assessment reads disclosed education, never health or safety */
    PGconn *superuser = idata_pg_connect("postgres");
    static const char *const actions[][2] = {
        {"case_advance", "ok"}, {"assessment_record", "ok"}, {"assessment_get", "ok"},
        {"plan_change", "ok"}, {"plan_get", "ok"}, {"referral_decline", "ok"},
        {"referral_complete", "ok"}, {"note_add", "ok"}, {"note_add", "denied"},
        {"conference_record", "ok"}, {"outcome_record", "ok"}, {"follow_up_record", "ok"},
        {"timeline", "ok"}, {"case_close", "ok"}, {"timeline", "not_found"}};
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        const char *p[] = {j.case_id, actions[i][0], actions[i][1]};
        char *n = idata_pg_value(superuser,
                                 "SELECT count(*) FROM audit_log WHERE case_id = $1::uuid"
                                 " AND action = $2 AND outcome = $3", 3, p);
        if (strcmp(n, "0") == 0)
            fail_msg("no audit record of %s with outcome %s on the case", actions[i][0],
                     actions[i][1]);
        free(n);
    }
    const char *p[] = {j.case_id};
    char *zzz_saw = idata_pg_value(
        superuser,
        "SELECT count(*) FILTER (WHERE 'education_work' = ANY (a.disclosed)) || '/' ||"
        "       count(*) FILTER (WHERE a.disclosed && ARRAY['health_disability', 'safety'])"
        "  FROM audit_log a JOIN institutions i ON i.id = a.institution_id"
        " WHERE a.case_id = $1::uuid AND a.action = 'assessment_get' AND i.code = 'testgrad.zzz'",
        1, p);
    if (strncmp(zzz_saw, "0/", 2) == 0 || strcmp(strchr(zzz_saw, '/'), "/0") != 0)
        fail_msg("zzz's assessment reads: audit says education_work/health-or-safety "
                 "disclosed %s times; expected some/0", zzz_saw);
    free(zzz_saw);
    PQfinish(superuser);
    spona_response *audit = idata_audit_verify(lead);
    idata_expect_what(audit, OK, "audit_verify");
    assert_true(audit->audit_verify->intact);
    envelope_free_response(audit);
}

/* --- the second person: the safety flag ------------------------------------------------------ */

static void test_person_at_risk(void **state)
{
    (void)state;
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {
        "first_name", "Јелена", "last_name", "Марковић", "jmbg", jmbg,
        "address", "Сигурна кућа", "phone", "065 999 000", "skills", "šivenje",
        "health_notes", "anksioznost", "safety_flag", "true",
        "safety_notes", "mjera zabrane približavanja", "priority_groups",
        "women_domestic_violence", NULL};
    char *person_id = idata_person_create_ok(lead, pairs);
    char *case_id = idata_case_open_ok(lead, person_id);
    static const char *const every[] = {"identity", "contact_address", "benefits_household",
                                        "education_work", "health_disability", "safety",
                                        "plan_measures", "case_notes", "outcomes", NULL};
    grant(person_id, "testgrad.zzz", every);
    advance(case_id, "assessment");
    static const struct idata_domain domains[] = {
        {"education_skills", 3, "osnovna škola"},
        {"health_disability", 3, "anksioznost"},
        {"domestic_violence", 5, "nasilje u porodici, mjera zabrane"},
        {"housing", 5, "sigurna kuća"},
        {"documents", 2, "lična karta istekla"},
        {NULL, 0, NULL}};
    spona_response *r = idata_assessment_record(lead, case_id, "2025-03-01", domains,
                                                "hrabra, želi da radi");
    idata_expect_what(r, OK, "assessment_record for the person at risk");
    envelope_free_response(r);
    char *to_zzz = idata_referral_create_ok(lead, case_id, "testgrad.zzz", "job_search_support",
                                            "2031-12-31");
    accept(zzz, to_zzz, case_id);

    /* zzz, even with consent to everything: no address, no health, no safety */
    r = idata_person_get(zzz, person_id);
    idata_expect_what(r, OK, "person_get by zzz of the person at risk");
    assert_string_equal(idata_field(r->person_get, "first_name"), "Јелена");
    assert_string_equal(idata_field(r->person_get, "skills"), "šivenje");
    static const char *const withheld[] = {"address", "phone", "health_notes", "safety_flag",
                                           "safety_notes", "priority_groups"};
    for (size_t i = 0; i < sizeof(withheld) / sizeof(withheld[0]); i++)
        if (idata_field(r->person_get, withheld[i]) != NULL)
            fail_msg("zzz sees %s of a person at risk", withheld[i]);
    envelope_free_response(r);
    r = idata_assessment_get(zzz, case_id, 0);
    idata_expect_what(r, OK, "assessment_get by zzz of the person at risk");
    const char *const shown[] = {"education_skills", "documents", NULL};
    const char *const hidden[] = {"health_disability", "domestic_violence", "housing", NULL};
    expect_domains(r->assessment_get, shown, hidden, "zzz (person at risk)");
    envelope_free_response(r);

    /* the lead sees it all */
    r = idata_assessment_get(lead, case_id, 0);
    idata_expect_what(r, OK, "assessment_get by the lead of the person at risk");
    assert_int_equal(r->assessment_get->n_domains, 5);
    assert_int_equal(domain_of(r->assessment_get, "domestic_violence")->rating, 5);
    envelope_free_response(r);
    r = idata_person_get(lead, person_id);
    idata_expect_what(r, OK, "person_get by the lead of the person at risk");
    assert_string_equal(idata_field(r->person_get, "address"), "Сигурна кућа");
    assert_string_equal(idata_field(r->person_get, "priority_groups"), "women_domestic_violence");
    envelope_free_response(r);

    /* zzz's timeline names what it may not see */
    r = idata_timeline(zzz, case_id);
    idata_expect_what(r, OK, "timeline by zzz of the person at risk");
    for (size_t i = 0; i < r->timeline->n_events; i++) {
        const char *category = r->timeline->events[i]->category;
        if (strcmp(category, "safety") == 0 || strcmp(category, "health_disability") == 0)
            fail_msg("zzz's timeline shows a %s event ('%s')", category,
                     r->timeline->events[i]->summary);
    }
    envelope_free_response(r);
    expect_not_found(idata_case_get(grad, case_id), "case_get by the coordinator");
    expect_not_found(idata_case_get(ngo, case_id), "case_get by the NGO off the team");
    free(to_zzz);
    free(case_id);
    free(person_id);
}

static int journey_teardown(void **state)
{
    free(j.person_id);
    free(j.case_id);
    free(j.to_zzz);
    free(j.to_skola);
    free(j.to_ngo);
    free(j.to_ngo_documents);
    free(j.training_outcome);
    free(j.job_outcome);
    return group_teardown(state);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_in),
        cmocka_unit_test(test_intake),
        cmocka_unit_test(test_assessment),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_referrals_accepted),
        cmocka_unit_test(test_who_sees_the_assessment),
        cmocka_unit_test(test_who_sees_the_plan),
        cmocka_unit_test(test_notes_and_conference),
        cmocka_unit_test(test_timeline_by_who_sees_what),
        cmocka_unit_test(test_ngo_declines_and_leaves),
        cmocka_unit_test(test_training_completed),
        cmocka_unit_test(test_job),
        cmocka_unit_test(test_plan_print),
        cmocka_unit_test(test_review_and_close),
        cmocka_unit_test(test_person_at_risk),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, journey_teardown);
}
