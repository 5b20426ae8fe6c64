/*
 * The request table: one row per request kind. A row says where the request
 * runs, what it needs (session; read or write), what it acts on and where the
 * request names it, the category and action it needs as a whole, and which
 * handler answers. The pipeline (pipeline.c) does the rest. Adding a request
 * kind is one row here and one handler (docs/server.md, "Recipes").
 *
 * Only the session rows run their own statements (REQUEST_OWN_TX); they
 * disclose nothing about a person and write nothing a retry could repeat.
 */
#include <stddef.h>

#include "handlers.h"
#include "request.h"

#define ROW(kind) SPONA__V1__REQUEST__BODY_##kind
#define S REQUEST_SESSION
#define W REQUEST_WRITE
#define OPEN REQUEST_OPEN_CASE
#define BOTH REQUEST_BOTH_MODES
#define REGION(kind, name, flags, handler)                                                \
    {ROW(kind), name, REQUEST_WORKER, S | REQUEST_REGIONAL | (flags), NONE, ANY, handler}
#define NONE REQUEST_SUBJECT_NONE, NULL
#define MUNICIPALITY REQUEST_SUBJECT_MUNICIPALITY, NULL
#define INTAKE REQUEST_SUBJECT_INTAKE, NULL
#define INTAKE_OF_CASE REQUEST_SUBJECT_INTAKE, "case_id" /* the caller as lead; a case id */
#define PERSON REQUEST_SUBJECT_PERSON, "person_id"
#define CASE REQUEST_SUBJECT_CASE, "case_id"
#define REFERRAL REQUEST_SUBJECT_REFERRAL, "referral_id"
#define OUTCOME REQUEST_SUBJECT_OUTCOME, "outcome_id"
#define ANY REQUEST_NO_CATEGORY, POLICY_ACTION_READ
#define READS(category) POLICY_CATEGORY_##category, POLICY_ACTION_READ
#define WRITES(category) POLICY_CATEGORY_##category, POLICY_ACTION_WRITE

static const struct request_kind request_rows[] = {
    /* sessions: no personal data, their own statements */
    {ROW(PING), "ping", REQUEST_INLINE, BOTH | REQUEST_OWN_TX, NONE, ANY, handle_ping},
    {ROW(LOGIN), "login", REQUEST_WORKER, BOTH | REQUEST_OWN_TX, NONE, ANY, handle_login},
    {ROW(RESUME), "resume", REQUEST_WORKER, BOTH | REQUEST_OWN_TX, NONE, ANY, handle_resume},
    {ROW(WHOAMI), "whoami", REQUEST_WORKER, S | BOTH | REQUEST_OWN_TX, NONE, ANY,
     handle_whoami},
    {ROW(LOGOUT), "logout", REQUEST_WORKER, S | BOTH | REQUEST_OWN_TX, NONE, ANY,
     handle_logout},
    /* the protocol */
    {ROW(PROTOCOL_IMPORT), "protocol_import", REQUEST_WORKER, S | W, NONE, ANY,
     handle_protocol_import},
    {ROW(PROTOCOL_SHOW), "protocol_show", REQUEST_WORKER, S | REQUEST_NO_AUDIT, NONE, ANY,
     handle_protocol_show},
    {ROW(PROTOCOL_APPROVE), "protocol_approve", REQUEST_WORKER, S | W, NONE, ANY,
     handle_protocol_approve},
    /* persons, households, benefits, search */
    {ROW(PERSON_CREATE), "person_create", REQUEST_WORKER, S | W, INTAKE, ANY,
     handle_person_create},
    {ROW(PERSON_GET), "person_get", REQUEST_WORKER, S, PERSON, ANY, handle_person_get},
    {ROW(PERSON_UPDATE), "person_update", REQUEST_WORKER, S | W, PERSON, ANY,
     handle_person_update},
    {ROW(PERSON_SEARCH), "person_search", REQUEST_WORKER, S, MUNICIPALITY, ANY,
     handle_person_search},
    {ROW(HOUSEHOLD_SET), "household_set", REQUEST_WORKER, S | W, PERSON,
     WRITES(BENEFITS_HOUSEHOLD), handle_household_set},
    {ROW(BENEFIT_ADD), "benefit_add", REQUEST_WORKER, S | W, PERSON,
     WRITES(BENEFITS_HOUSEHOLD), handle_benefit_add},
    /* consent */
    {ROW(CONSENT_GRANT), "consent_grant", REQUEST_WORKER, S | W, PERSON, ANY,
     handle_consent_grant},
    {ROW(CONSENT_WITHDRAW), "consent_withdraw", REQUEST_WORKER, S | W, PERSON, ANY,
     handle_consent_withdraw},
    {ROW(CONSENT_LIST), "consent_list", REQUEST_WORKER, S, PERSON, ANY,
     handle_consent_list},
    /* cases and their lifecycle */
    {ROW(CASE_OPEN), "case_open", REQUEST_WORKER, S | W, PERSON, ANY, handle_case_open},
    {ROW(CASE_GET), "case_get", REQUEST_WORKER, S, CASE, ANY, handle_case_get},
    {ROW(CASE_ADVANCE), "case_advance", REQUEST_WORKER, S | W, CASE, ANY, handle_case_advance},
    {ROW(CASE_CLOSE), "case_close", REQUEST_WORKER, S | W, CASE, ANY, handle_case_close},
    {ROW(CASE_REOPEN), "case_reopen", REQUEST_WORKER, S | W, CASE, ANY, handle_case_reopen},
    {ROW(CASE_EXCLUDE), "case_exclude", REQUEST_WORKER, S | W, CASE, ANY, handle_case_exclude},
    /* the caller is not on the team yet: the handler finds the case (handlers_emergency.c) */
    {ROW(EMERGENCY_ACCESS), "emergency_access", REQUEST_WORKER, S | W, INTAKE_OF_CASE, ANY,
     handle_emergency_access},
    {ROW(EMERGENCY_REVIEW), "emergency_review", REQUEST_WORKER, S | W, MUNICIPALITY, ANY,
     handle_emergency_review},
    /* assessments and plans */
    {ROW(ASSESSMENT_RECORD), "assessment_record", REQUEST_WORKER, S | W | OPEN, CASE, ANY,
     handle_assessment_record},
    {ROW(ASSESSMENT_GET), "assessment_get", REQUEST_WORKER, S, CASE, ANY,
     handle_assessment_get},
    {ROW(PLAN_CHANGE), "plan_change", REQUEST_WORKER, S | W | OPEN, CASE, WRITES(PLAN_MEASURES),
     handle_plan_change},
    {ROW(PLAN_GET), "plan_get", REQUEST_WORKER, S, CASE, READS(PLAN_MEASURES),
     handle_plan_get},
    /* referrals */
    {ROW(REFERRAL_CREATE), "referral_create", REQUEST_WORKER, S | W | OPEN, CASE, ANY,
     handle_referral_create},
    {ROW(REFERRAL_ACCEPT), "referral_accept", REQUEST_WORKER, S | W | OPEN, REFERRAL, ANY,
     handle_referral_accept},
    {ROW(REFERRAL_DECLINE), "referral_decline", REQUEST_WORKER, S | W, REFERRAL, ANY,
     handle_referral_decline},
    {ROW(REFERRAL_COMPLETE), "referral_complete", REQUEST_WORKER, S | W, REFERRAL, ANY,
     handle_referral_complete},
    {ROW(INBOX), "inbox", REQUEST_WORKER, S, MUNICIPALITY, ANY, handle_inbox},
    {ROW(OVERDUE), "overdue", REQUEST_WORKER, S, MUNICIPALITY, ANY, handle_overdue},
    /* records of a case */
    {ROW(CONFERENCE_RECORD), "conference_record", REQUEST_WORKER, S | W | OPEN, CASE,
     WRITES(CASE_NOTES), handle_conference_record},
    {ROW(NOTE_ADD), "note_add", REQUEST_WORKER, S | W | OPEN, CASE, WRITES(CASE_NOTES),
     handle_note_add},
    {ROW(OUTCOME_RECORD), "outcome_record", REQUEST_WORKER, S | W | OPEN, CASE, WRITES(OUTCOMES),
     handle_outcome_record},
    {ROW(FOLLOW_UP_RECORD), "follow_up_record", REQUEST_WORKER, S | W, OUTCOME,
     WRITES(OUTCOMES), handle_follow_up_record},
    {ROW(TIMELINE), "timeline", REQUEST_WORKER, S, CASE, ANY, handle_timeline},
    /* audit and reports */
    {ROW(EXPLAIN), "explain", REQUEST_WORKER, S, CASE, ANY, handle_explain},
    {ROW(AUDIT_VERIFY), "audit_verify", REQUEST_WORKER, S, MUNICIPALITY, ANY,
     handle_audit_verify},
    {ROW(DISCLOSURES), "disclosures", REQUEST_WORKER, S, PERSON, ANY,
     handle_disclosures},
    {ROW(REPORT), "report", REQUEST_WORKER, S, MUNICIPALITY, ANY, handle_report},
    /* the region (docs/region.md): a regional server only, regional administrators only */
    REGION(REGION_MUNICIPALITY_ADD, "region_municipality_add", W, handle_region_municipality_add),
    REGION(REGION_MUNICIPALITY_LIST, "region_municipality_list", 0,
           handle_region_municipality_list),
    REGION(REGION_MUNICIPALITY_SHOW, "region_municipality_show", 0,
           handle_region_municipality_show),
    REGION(REGION_INSTITUTION_ADD, "region_institution_add", W, handle_region_institution_add),
    REGION(REGION_INSTITUTION_LIST, "region_institution_list", 0,
           handle_region_institution_list),
    REGION(REGION_CERT_ISSUE, "region_cert_issue", W, handle_region_cert_issue),
    REGION(REGION_CERT_UPLOAD, "region_cert_upload", W, handle_region_cert_upload),
    REGION(REGION_CERT_REVOKE, "region_cert_revoke", W, handle_region_cert_revoke),
    REGION(REGION_CERT_LIST, "region_cert_list", 0, handle_region_cert_list),
    REGION(REGION_CRL_PUBLISH, "region_crl_publish", W, handle_region_crl_publish),
    /* the sync (docs/region.md): a municipality's sync certificate, no session */
    {ROW(SYNC_HELLO), "sync_hello", REQUEST_WORKER, REQUEST_REGIONAL | REQUEST_SYNC, NONE, ANY,
     handle_sync_hello},
    {ROW(SYNC_PULL), "sync_pull", REQUEST_WORKER, REQUEST_REGIONAL | REQUEST_SYNC, NONE, ANY,
     handle_sync_pull},
    {ROW(SYNC_PUSH), "sync_push", REQUEST_WORKER, W | REQUEST_REGIONAL | REQUEST_SYNC, NONE,
     ANY, handle_sync_push},
    /* the caseload (handlers_caseload.c, handlers_directory.c) */
    {ROW(CASE_LIST), "case_list", REQUEST_WORKER, S, MUNICIPALITY, ANY, handle_case_list},
    {ROW(DIRECTORY), "directory", REQUEST_WORKER, S | REQUEST_NO_AUDIT, NONE, ANY,
     handle_directory},
    {ROW(ID_LOOKUP), "id_lookup", REQUEST_WORKER, S, MUNICIPALITY, ANY, handle_id_lookup},
};

const struct request_kind request_identify = {0, "identify", REQUEST_WORKER,
                                              BOTH | REQUEST_OWN_TX, NONE, ANY,
                                              handle_identify};

const struct request_kind *request_lookup(int body_case)
{
    for (size_t i = 0; i < sizeof(request_rows) / sizeof(request_rows[0]); i++)
        if (request_rows[i].body_case == body_case)
            return &request_rows[i];
    return NULL;
}

const struct request_kind *request_table(size_t *count)
{
    *count = sizeof(request_rows) / sizeof(request_rows[0]);
    return request_rows;
}

int request_served(const struct request_kind *kind, int mode)
{
    if (kind->flags & REQUEST_BOTH_MODES)
        return 1;
    return (mode == SERVER_MODE_REGIONAL) == ((kind->flags & REQUEST_REGIONAL) != 0);
}

int request_kind_inline(const struct request_kind *kind)
{
    return kind->where == REQUEST_INLINE;
}
