/*
 * Every statement table, in the order db.c prepares them (see statements.h).
 */
#include "statements.h"

const struct db_statement *const statement_tables[] = {
    session_statements,
    access_statements,
    transaction_statements,
    subject_statements,
    audit_statements,
    exclusion_statements,
    emergency_statements,
    idempotency_statements,
    search_statements,
    household_statements,
    lifecycle_statements,
    assessment_statements,
    plan_statements,
    referral_statements,
    records_statements,
    timeline_statements,
    protocol_statements,
    audit_trail_statements,
    person_statements,
    person_household_statements,
    case_statements,
    consent_statements,
    handlers_util_statements,
    report_statements,
    caseload_statements,
    directory_statements,
    conflict_statements,
    NULL,
};

/* A regional server's: sessions (the region's own staff) and the registry (docs/region.md). */
const struct db_statement *const region_statement_tables[] = {
    session_statements,
    region_pipeline_statements,
    region_registry_statements,
    region_cert_statements,
    region_crl_statements,
    region_sync_statements,
    region_ledger_statements,
    region_status_statements,
    NULL,
};
