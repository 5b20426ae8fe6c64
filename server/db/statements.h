/*
 * The list of every named prepared statement table, one per subject. Adding a
 * subject means adding its table here; db.c prepares them all on connect.
 */
#ifndef SPONA_STATEMENTS_H
#define SPONA_STATEMENTS_H

#include "db.h"

extern const struct db_statement session_statements[];
extern const struct db_statement access_statements[];
extern const struct db_statement transaction_statements[];
extern const struct db_statement subject_statements[];
extern const struct db_statement audit_statements[];
extern const struct db_statement exclusion_statements[];
extern const struct db_statement emergency_statements[];
extern const struct db_statement idempotency_statements[];
extern const struct db_statement search_statements[];
extern const struct db_statement household_statements[];
extern const struct db_statement lifecycle_statements[];
extern const struct db_statement assessment_statements[];
extern const struct db_statement plan_statements[];
extern const struct db_statement referral_statements[];
extern const struct db_statement records_statements[];
extern const struct db_statement timeline_statements[];
extern const struct db_statement protocol_statements[];
extern const struct db_statement audit_trail_statements[];
extern const struct db_statement person_statements[];
extern const struct db_statement person_household_statements[];
extern const struct db_statement case_statements[];
extern const struct db_statement consent_statements[];
extern const struct db_statement handlers_util_statements[];
extern const struct db_statement report_statements[];
extern const struct db_statement caseload_statements[];
extern const struct db_statement directory_statements[];
extern const struct db_statement conflict_statements[];

extern const struct db_statement region_pipeline_statements[];
extern const struct db_statement region_registry_statements[];
extern const struct db_statement region_cert_statements[];
extern const struct db_statement region_crl_statements[];
extern const struct db_statement region_sync_statements[];
extern const struct db_statement region_ledger_statements[];
extern const struct db_statement region_status_statements[];

extern const struct db_statement *const statement_tables[];
extern const struct db_statement *const region_statement_tables[];

#endif
