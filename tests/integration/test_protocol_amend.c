/*
 * Integration test: amendments need the signatories (docs/policy.md, "Amendments"),
 * in the municipality amendgrad, which no other test touches. Version 1 is the
 * bootstrap (activated on import). Version 2 gives the Employment Bureau safety and
 * health data: it is stored inactive, the Bureau still reads under version 1, until
 * the lead agency and the Bureau approved it with signatures of their certificate
 * keys over its hash. An approval by an institution not required, a signature that
 * is not the connection's key's, one over another version, a hash of another text
 * and a second approval are refused. protocol show lists the required and given
 * approvals; each is stored with the certificate that verified it. Version 3, which
 * only narrows, is activated on import. Version 4, widening again, imported with the
 * admin command, is stored inactive too: the admin command has no way around approvals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "idata.h"

static struct itest_server server;
static struct spona_client *coordinator, *lead, *bureau, *ngo;
static char *person_id, *case_id;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "protocol_amend", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(coordinator);
    spona_client_close(lead);
    spona_client_close(bureau);
    spona_client_close(ngo);
    free(person_id);
    free(case_id);
    return itest_group_teardown(state);
}

static void expect_status(spona_response *r, spona_status status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: expected %s; got %s, '%s'", what, envelope_status_name(status),
                 envelope_status_name(r->status), r->message);
}

static spona_response *import(const char *name)
{
    char *source = idata_protocol_text(name);
    spona_response *r = idata_protocol_import(coordinator, source, name);
    free(source);
    expect_status(r, SPONA__V1__STATUS__OK, name);
    return r;
}

/* The Bureau's read of the person: whether it sees health and safety, under which version. */
static void assert_bureau_reads(int sees, uint32_t version, const char *what)
{
    spona_response *r = idata_person_get(bureau, person_id);
    expect_status(r, SPONA__V1__STATUS__OK, what);
    assert_string_equal(idata_field(r->person_get, "first_name"), "Amra");
    const char *health = idata_field(r->person_get, "health_notes");
    const char *safety = idata_field(r->person_get, "safety_notes");
    if (sees) {
        assert_non_null(health);
        assert_non_null(safety);
    } else if (health != NULL || safety != NULL) {
        fail_msg("%s: the Bureau reads health or safety data under version %u", what, version);
    }
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->person_get->decisions, r->person_get->n_decisions, "health_disability", "read");
    assert_non_null(d);
    assert_int_equal(d->protocol_version, version);
    assert_int_equal(d->allowed, sees);
    envelope_free_response(r);
}

/* The version in force (protocol show without a version). */
static uint32_t version_in_force(void)
{
    spona_response *r = idata_protocol_show(bureau, 0);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show");
    uint32_t version = r->protocol_show->version;
    envelope_free_response(r);
    return version;
}

static void test_version_1_is_activated_on_import(void **state)
{
    (void)state;
    coordinator = idata_login(&server, "amendgrad-grad", "gorana");
    lead = idata_login(&server, "amendgrad-csr", "amra");
    bureau = idata_login(&server, "amendgrad-zzz", "zlatko");
    ngo = idata_login(&server, "amendgrad-ngo", "neda");
    spona_response *r = import("amendgrad-v1.yaml");
    assert_true(r->protocol_import->active);
    assert_int_equal(r->protocol_import->approvals_required, 0);
    envelope_free_response(r);
    assert_int_equal(version_in_force(), 1);

    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Amra", "last_name", "Osoba", "jmbg", jmbg,
                           "health_notes", "dijabetes", "safety_notes", "mjera zabrane",
                           NULL};
    person_id = idata_person_create_ok(lead, pairs);
    case_id = idata_case_open_ok(lead, person_id);
    idata_refer_and_accept(lead, bureau, case_id, "amendgrad.zzz");
    assert_bureau_reads(0, 1, "the Bureau under version 1");
}

static void test_widening_version_is_inactive_until_approved(void **state)
{
    (void)state;
    spona_response *r = import("amendgrad-v2.yaml");
    assert_int_equal(r->protocol_import->version, 2);
    assert_false(r->protocol_import->active);
    assert_int_equal(r->protocol_import->approvals_required, 2);
    envelope_free_response(r);
    /* the old rules still apply to the Bureau */
    assert_int_equal(version_in_force(), 1);
    assert_bureau_reads(0, 1, "the Bureau after the import of version 2");

    /* show lists the required approvals, none given */
    r = idata_protocol_show(coordinator, 2);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 2");
    const Spona__V1__ProtocolShowResponse *show = r->protocol_show;
    assert_false(show->active);
    assert_string_equal(show->activated_at, "");
    assert_int_equal(show->n_approvals, 2);
    assert_string_equal(show->approvals[0]->institution, "amendgrad.csr");
    assert_string_equal(show->approvals[0]->reason, "lead agency");
    assert_string_equal(show->approvals[1]->institution, "amendgrad.zzz");
    assert_string_equal(show->approvals[1]->reason,
                        "gains read health_disability; gains read safety");
    assert_false(show->approvals[0]->approved);
    assert_false(show->approvals[1]->approved);
    char sha[65];
    assert_int_equal(spona_client_sha256_hex(show->source, strlen(show->source), sha), 0);
    assert_string_equal(show->source_sha256, sha);
    envelope_free_response(r);
}

/* The stored text's hash of version. */
static void stored_sha(uint32_t version, char out[65])
{
    spona_response *r = idata_protocol_show(coordinator, version);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show");
    snprintf(out, 65, "%s", r->protocol_show->source_sha256);
    envelope_free_response(r);
}

/* Signs the approval message of version with sha using client's key. */
static void sign_message(struct spona_client *client, uint32_t version, const char *sha,
                         uint8_t **signature, size_t *length)
{
    char message[APPROVAL_MESSAGE_MAX], err[256];
    int n = approval_message("amendgrad", version, sha, message, sizeof(message));
    assert_true(n > 0);
    if (spona_client_sign(client, message, (size_t)n, signature, length, err, sizeof(err)) != 0)
        fail_msg("signing: %s", err);
}

static void test_wrong_approvals_are_refused(void **state)
{
    (void)state;
    char v1[65], v2[65];
    stored_sha(1, v1);
    stored_sha(2, v2);
    /* an institution whose approval version 2 does not require */
    spona_response *r = idata_protocol_approve(ngo, 2);
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "the NGO approves");
    assert_non_null(strstr(r->message, "does not require the approval of your institution"));
    envelope_free_response(r);
    r = idata_protocol_approve(coordinator, 2);
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "the coordinator approves");
    envelope_free_response(r);

    /* a bad signature */
    uint8_t garbage[72];
    memset(garbage, 0x5a, sizeof(garbage));
    r = idata_protocol_approve_signed(bureau, 2, v2, garbage, sizeof(garbage));
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "a garbage signature");
    assert_non_null(strstr(r->message, "signature does not verify"));
    envelope_free_response(r);
    /* a good signature, but by another institution's key (the lead's) */
    uint8_t *signature;
    size_t length;
    sign_message(lead, 2, v2, &signature, &length);
    r = idata_protocol_approve_signed(bureau, 2, v2, signature, length);
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "the lead's signature sent by the Bureau");
    envelope_free_response(r);
    free(signature);
    /* the Bureau's signature over another version (version 1 and its hash) */
    sign_message(bureau, 1, v1, &signature, &length);
    r = idata_protocol_approve_signed(bureau, 2, v2, signature, length);
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "a signature over version 1");
    envelope_free_response(r);
    free(signature);
    /* over version 2's number but version 1's text */
    sign_message(bureau, 2, v1, &signature, &length);
    r = idata_protocol_approve_signed(bureau, 2, v1, signature, length);
    expect_status(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "a hash of another text");
    envelope_free_response(r);
    free(signature);
    /* a version not stored */
    sign_message(bureau, 9, v2, &signature, &length);
    r = idata_protocol_approve_signed(bureau, 9, v2, signature, length);
    expect_status(r, SPONA__V1__STATUS__NOT_FOUND, "a version not stored");
    envelope_free_response(r);
    free(signature);

    /* nothing was stored: both approvals still missing, version 1 in force */
    r = idata_protocol_show(coordinator, 2);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 2");
    assert_false(r->protocol_show->approvals[0]->approved);
    assert_false(r->protocol_show->approvals[1]->approved);
    envelope_free_response(r);
    assert_bureau_reads(0, 1, "the Bureau after refused approvals");
}

static void test_lead_and_bureau_approve_then_it_takes_effect(void **state)
{
    (void)state;
    spona_response *r = idata_protocol_approve(lead, 2);
    expect_status(r, SPONA__V1__STATUS__OK, "the lead approves");
    assert_false(r->protocol_approve->activated);
    assert_int_equal(r->protocol_approve->approvals_missing, 1);
    envelope_free_response(r);
    r = idata_protocol_approve(lead, 2);
    expect_status(r, SPONA__V1__STATUS__FAILED_PRECONDITION, "the lead approves twice");
    envelope_free_response(r);
    /* the lead's approval alone does not open anything */
    assert_bureau_reads(0, 1, "the Bureau after the lead's approval");

    r = idata_protocol_approve(bureau, 2);
    expect_status(r, SPONA__V1__STATUS__OK, "the Bureau approves");
    assert_true(r->protocol_approve->activated);
    assert_int_equal(r->protocol_approve->approvals_missing, 0);
    envelope_free_response(r);
    assert_int_equal(version_in_force(), 2);
    assert_bureau_reads(1, 2, "the Bureau under version 2");

    r = idata_protocol_show(ngo, 2);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 2");
    assert_true(r->protocol_show->active);
    assert_true(r->protocol_show->activated_at[0] != '\0');
    assert_int_equal(r->protocol_show->n_approvals, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_true(r->protocol_show->approvals[i]->approved);
        assert_true(r->protocol_show->approvals[i]->approved_at[0] != '\0');
    }
    envelope_free_response(r);
    r = idata_protocol_approve(bureau, 2);
    expect_status(r, SPONA__V1__STATUS__FAILED_PRECONDITION, "approving an active version");
    envelope_free_response(r);
}

/* Each approval is stored with the signature and the certificate that verified it. */
static void test_approvals_keep_signature_and_certificate(void **state)
{
    (void)state;
    PGconn *db = idata_pg_connect("postgres");
    char *count = idata_pg_value(
        db,
        "SELECT count(*) FROM protocol_approvals a JOIN protocols p ON p.id = a.protocol_id"
        " JOIN municipalities m ON m.id = p.municipality_id"
        " WHERE m.code = 'amendgrad' AND p.version = 2 AND a.signature IS NOT NULL"
        "   AND length(a.certificate) > 100 AND a.approved_by IS NOT NULL",
        0, NULL);
    assert_string_equal(count, "2");
    free(count);
    char *actions = idata_pg_value(
        db,
        "SELECT string_agg(outcome, ',' ORDER BY seq) FROM audit_log a"
        " JOIN municipalities m ON m.id = a.municipality_id"
        " WHERE m.code = 'amendgrad' AND a.action = 'protocol_approve'",
        0, NULL);
    assert_non_null(strstr(actions, "denied"));
    assert_non_null(strstr(actions, "ok"));
    free(actions);
    PQfinish(db);
}

static void test_narrowing_version_is_active_at_once(void **state)
{
    (void)state;
    spona_response *r = import("amendgrad-v3.yaml");
    assert_true(r->protocol_import->active);
    assert_int_equal(r->protocol_import->approvals_required, 0);
    envelope_free_response(r);
    assert_int_equal(version_in_force(), 3);
    assert_bureau_reads(1, 3, "the Bureau under version 3");
    r = idata_protocol_show(coordinator, 3);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 3");
    assert_true(r->protocol_show->active);
    assert_int_equal(r->protocol_show->n_approvals, 0);
    envelope_free_response(r);
    /* the NGO lost clause 3 at once */
    r = idata_person_get(ngo, person_id);
    assert_int_not_equal(r->status, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
}

static void test_admin_import_of_a_widening_version_is_inactive(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/amendgrad-v4.yaml", SPONA_TEST_PROTOCOLS);
    assert_int_equal(itest_admin("import-protocol", path, NULL), 0);
    assert_int_equal(version_in_force(), 3);
    spona_response *r = idata_protocol_show(coordinator, 4);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 4");
    assert_false(r->protocol_show->active);
    assert_int_equal(r->protocol_show->n_approvals, 2);
    assert_string_equal(r->protocol_show->approvals[0]->institution, "amendgrad.csr");
    assert_string_equal(r->protocol_show->approvals[1]->institution, "amendgrad.ngo");
    assert_string_equal(r->protocol_show->approvals[1]->reason, "gains read identity");
    envelope_free_response(r);
    r = idata_person_get(ngo, person_id);
    assert_int_not_equal(r->status, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_1_is_activated_on_import),
        cmocka_unit_test(test_widening_version_is_inactive_until_approved),
        cmocka_unit_test(test_wrong_approvals_are_refused),
        cmocka_unit_test(test_lead_and_bureau_approve_then_it_takes_effect),
        cmocka_unit_test(test_approvals_keep_signature_and_certificate),
        cmocka_unit_test(test_narrowing_version_is_active_at_once),
        cmocka_unit_test(test_admin_import_of_a_widening_version_is_inactive),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
