/*
 * Integration-test support for personal data (issue 3): one-line builders of the
 * protocol, person, case, referral, consent, explain and audit requests of
 * proto/spona.proto, logged-in clients per harness user, reading test protocol
 * files, valid fresh JMBGs, and libpq connections to the harness cluster (as the
 * server's role spona_app or as the superuser postgres) for the row-level
 * security and tampering tests. Helpers that say "asserts" fail the current
 * cmocka test; the others return the server's response for the test to judge.
 */
#ifndef SPONA_IDATA_H
#define SPONA_IDATA_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "itest.h"

/* Connects with pki/<cert> and logs in as username (harness password); asserts. */
struct spona_client *idata_login(const struct itest_server *server, const char *cert,
                                 const char *username);

/* Sends one request, returns its response (asserts the transport worked). */
spona_response *idata_call(struct spona_client *client, spona_request *request);

/* Asserts the status, printing the message otherwise (any request id). */
void idata_expect(const spona_response *response, spona_status status);

/* --- protocol ---------------------------------------------------------------------- */

/* The text of tests/integration/protocols/<name> (caller frees); asserts. */
char *idata_protocol_text(const char *name);

spona_response *idata_protocol_import(struct spona_client *client, const char *source,
                                      const char *file_name);
spona_response *idata_protocol_show(struct spona_client *client, uint32_t version);

/*
 * Makes sure versions 1..N of the municipality's protocol, from files
 * "<prefix>-v1.yaml" ... "<prefix>-vN.yaml", are stored: imports those missing, in
 * order (a concurrent import of the same version, CONFLICT, is fine), and that each
 * is activated: an amendment that widens access gets the approvals it awaits
 * (idata_protocol_approve_missing). Asserts.
 */
void idata_protocol_ensure(const struct itest_server *server, struct spona_client *client,
                           const char *prefix, uint32_t versions);

/*
 * Approves version for client's institution as `spona protocol approve` does: reads
 * its text (protocol show), hashes it and signs the approval with the connection's
 * key, sends PROTOCOL_APPROVE. Returns the response (caller frees).
 */
spona_response *idata_protocol_approve(struct spona_client *client, uint32_t version);

/* Sends an approval with the given hash and signature as they are (refusal tests). */
spona_response *idata_protocol_approve_signed(struct spona_client *client, uint32_t version,
                                              const char *sha256_hex, const uint8_t *signature,
                                              size_t signature_length);

/*
 * Has every institution version still awaits approve it, each logged in with the
 * harness's certificate and a user of that institution (docs/policy.md,
 * "Amendments"); asserts that the version is then activated.
 */
void idata_protocol_approve_missing(const struct itest_server *server,
                                    struct spona_client *client, uint32_t version);

/* --- persons ------------------------------------------------------------------------- */

/* pairs: "name", "value", ..., NULL */
spona_response *idata_person_create(struct spona_client *client, const char *const *pairs);
/* Asserts OK; returns the person id (caller frees). */
char *idata_person_create_ok(struct spona_client *client, const char *const *pairs);
spona_response *idata_person_get(struct spona_client *client, const char *person_id);
spona_response *idata_person_update(struct spona_client *client, const char *person_id,
                                    uint64_t expected_version, const char *const *pairs);

/* The value of a field in a view, or NULL when absent. */
const char *idata_field(const Spona__V1__PersonView *view, const char *name);

/* The decision for category/action in a list, or NULL. */
const Spona__V1__CategoryDecision *idata_decision(Spona__V1__CategoryDecision *const *decisions,
                                                  size_t count, const char *category,
                                                  const char *action);

/* A valid JMBG (13 digits + NUL) no earlier call in any process is likely to repeat. */
void idata_fresh_jmbg(char out[14]);

/* --- cases, referrals, consent --------------------------------------------------------- */

spona_response *idata_case_open(struct spona_client *client, const char *person_id,
                                const char *reason);
char *idata_case_open_ok(struct spona_client *client, const char *person_id);
spona_response *idata_case_get(struct spona_client *client, const char *case_id);
spona_response *idata_referral_create(struct spona_client *client, const char *case_id,
                                      const char *institution_code, const char *measure);
spona_response *idata_referral_accept(struct spona_client *client, const char *referral_id);
/* Referral by the lead and acceptance by the partner; asserts both OK. */
void idata_refer_and_accept(struct spona_client *lead, struct spona_client *partner,
                            const char *case_id, const char *institution_code);

/* categories: NULL-terminated (NULL or empty list: none). given_on NULL: "2024-06-01". */
spona_response *idata_consent_grant(struct spona_client *client, const char *person_id,
                                    const char *institution_code,
                                    const char *const *categories, const char *given_on,
                                    const char *expires_on);
spona_response *idata_consent_withdraw(struct spona_client *client, const char *person_id,
                                       const char *institution_code,
                                       const char *const *categories);
spona_response *idata_consent_list(struct spona_client *client, const char *person_id);

/* --- explain, audit, emergency ----------------------------------------------------------- */

spona_response *idata_explain(struct spona_client *client, const char *case_id,
                              const char *institution_code);
spona_response *idata_audit_verify(struct spona_client *client);
spona_response *idata_disclosures(struct spona_client *client, const char *person_id);
spona_response *idata_emergency(struct spona_client *client, const char *case_id,
                                const char *reason, uint32_t minutes);

/* --- issue 4: the case workflow (docs/cases.md) ------------------------------------------ */

/* protobuf-c wants char * for strings it never writes when packing */
#define IDATA_MUTABLE(text) ((char *)(uintptr_t)(text))

/* limit 0: the server's default */
spona_response *idata_person_search(struct spona_client *client, const char *query, int loose,
                                    uint32_t limit);

spona_response *idata_case_advance(struct spona_client *client, const char *case_id,
                                   uint64_t expected_version, const char *to_stage);
spona_response *idata_case_close(struct spona_client *client, const char *case_id,
                                 uint64_t expected_version, const char *reason,
                                 const char *note);
spona_response *idata_case_reopen(struct spona_client *client, const char *case_id,
                                  uint64_t expected_version, const char *reason);

/* One domain of a needs assessment; arrays of them end with a NULL domain. */
struct idata_domain {
    const char *domain;
    uint32_t rating;
    const char *notes;
};
spona_response *idata_assessment_record(struct spona_client *client, const char *case_id,
                                        const char *assessed_on,
                                        const struct idata_domain *domains,
                                        const char *strengths);
spona_response *idata_assessment_get(struct spona_client *client, const char *case_id,
                                     uint32_t version);

/* Sends a plan change the caller filled (spona__v1__plan_change_request__init first). */
spona_response *idata_plan_change(struct spona_client *client,
                                  Spona__V1__PlanChangeRequest *body);
/* The plan changes a test makes most: one new goal; one measure's status. */
spona_response *idata_plan_add_goal(struct spona_client *client, const char *case_id,
                                    uint32_t expected_version, uint32_t number,
                                    const char *text, const char *target_date);
spona_response *idata_plan_measure_status(struct spona_client *client, const char *case_id,
                                          uint32_t expected_version, uint32_t number,
                                          const char *status);
spona_response *idata_plan_get(struct spona_client *client, const char *case_id,
                               uint32_t version, int printable);

/* due_date NULL or "": none. */
spona_response *idata_referral_create_due(struct spona_client *client, const char *case_id,
                                          const char *institution_code, const char *measure,
                                          const char *due_date);
/* Asserts OK; returns the referral id (caller frees). */
char *idata_referral_create_ok(struct spona_client *client, const char *case_id,
                               const char *institution_code, const char *measure,
                               const char *due_date);
spona_response *idata_referral_decline(struct spona_client *client, const char *referral_id,
                                       uint64_t expected_version, const char *reason);
spona_response *idata_referral_complete(struct spona_client *client, const char *referral_id,
                                        uint64_t expected_version, const char *result);
spona_response *idata_inbox(struct spona_client *client, int open_only);
spona_response *idata_overdue(struct spona_client *client);

/* institution_codes, usernames: NULL-terminated */
spona_response *idata_conference_record(struct spona_client *client, const char *case_id,
                                        const char *held_on,
                                        const char *const *institution_codes,
                                        const char *const *usernames, const char *decisions,
                                        const char *next_steps);
spona_response *idata_note_add(struct spona_client *client, const char *case_id,
                               const char *text);
/* Sends an outcome the caller filled (spona__v1__outcome_record_request__init first). */
spona_response *idata_outcome_record(struct spona_client *client,
                                     Spona__V1__OutcomeRecordRequest *body);
spona_response *idata_follow_up_record(struct spona_client *client, const char *outcome_id,
                                       uint32_t months, const char *checked_on,
                                       int still_employed, const char *note);
spona_response *idata_timeline(struct spona_client *client, const char *case_id);

/* Fails the test unless the response has status; prints what was sent (what). */
void idata_expect_what(const spona_response *response, spona_status status, const char *what);

/*
 * The version column of one row of a versioned table ("cases", "referrals",
 * "persons", "outcomes", "case_conferences"), read as the superuser: what the
 * server stored, to check the wire against, and a referral's version without
 * going through an inbox. Asserts the row exists.
 */
uint64_t idata_row_version(const char *table, const char *id);

/* --- PostgreSQL -------------------------------------------------------------------------- */

/* Connects to the harness database spona as role (e.g. "spona_app", "postgres"); asserts. */
PGconn *idata_pg_connect(const char *role);

/*
 * Runs sql with text params; returns the result (caller PQclears). Asserts the
 * status is expect (PGRES_TUPLES_OK or PGRES_COMMAND_OK), printing the error.
 */
PGresult *idata_pg(PGconn *conn, ExecStatusType expect, const char *sql, int n,
                   const char *const *params);

/* Runs sql expecting an error; returns the error message (caller frees). */
char *idata_pg_error(PGconn *conn, const char *sql, int n, const char *const *params);

/* The single value of a one-row, one-column query (caller frees); asserts. */
char *idata_pg_value(PGconn *conn, const char *sql, int n, const char *const *params);

/* Sets conn's identity (spona.municipality_id, institution_id, user_id, for the session)
 * to the institution with that code and its user (NULL or unknown: no user), as the
 * server sets it for a request; asserts the institution exists. */
void idata_pg_act_as(PGconn *conn, const char *institution, const char *username);

/* A fresh version-4 UUID, for idempotency keys. */
void idata_fresh_key(char out[37]);

#endif
