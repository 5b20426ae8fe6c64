/*
 * Handlers, one file per subject. Each is listed in dispatch.c's table; each
 * subject's SQL is in its statement table (statements.h).
 */
#ifndef SPONA_HANDLERS_H
#define SPONA_HANDLERS_H

#include "request.h"

/* handlers_session.c */
spona_status handle_ping(struct request_context *ctx, const spona_request *request,
                         spona_response *response);
spona_status handle_login(struct request_context *ctx, const spona_request *request,
                          spona_response *response);
spona_status handle_resume(struct request_context *ctx, const spona_request *request,
                           spona_response *response);
spona_status handle_whoami(struct request_context *ctx, const spona_request *request,
                           spona_response *response);
spona_status handle_logout(struct request_context *ctx, const spona_request *request,
                           spona_response *response);
spona_status handle_identify(struct request_context *ctx, const spona_request *request,
                             spona_response *response);

/* handlers_protocol.c */
spona_status handle_protocol_import(struct request_context *ctx, const spona_request *request,
                                    spona_response *response);
spona_status handle_protocol_show(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);
spona_status handle_protocol_approve(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);

/* handlers_person.c */
spona_status handle_person_create(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);
spona_status handle_person_get(struct request_context *ctx, const spona_request *request,
                               spona_response *response);
spona_status handle_person_update(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);

/* handlers_case.c */
spona_status handle_case_open(struct request_context *ctx, const spona_request *request,
                              spona_response *response);
spona_status handle_case_get(struct request_context *ctx, const spona_request *request,
                             spona_response *response);

/* handlers_exclusion.c */
spona_status handle_case_exclude(struct request_context *ctx, const spona_request *request,
                                 spona_response *response);

/* handlers_emergency.c */
spona_status handle_emergency_access(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);
spona_status handle_emergency_review(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);

/* handlers_consent.c */
spona_status handle_consent_grant(struct request_context *ctx, const spona_request *request,
                                  spona_response *response);
spona_status handle_consent_withdraw(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);
spona_status handle_consent_list(struct request_context *ctx, const spona_request *request,
                                 spona_response *response);

/* handlers_audit.c */
spona_status handle_explain(struct request_context *ctx, const spona_request *request,
                            spona_response *response);
spona_status handle_audit_verify(struct request_context *ctx, const spona_request *request,
                                 spona_response *response);
spona_status handle_disclosures(struct request_context *ctx, const spona_request *request,
                                spona_response *response);

/* issue 4: the case workflow (docs/cases.md) */
/* handlers_search.c */
spona_status handle_person_search(struct request_context *ctx, const spona_request *request,
                  spona_response *response);

/* handlers_household.c */
spona_status handle_household_set(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_benefit_add(struct request_context *ctx, const spona_request *request,
                  spona_response *response);

/* handlers_lifecycle.c */
spona_status handle_case_advance(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_case_close(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_case_reopen(struct request_context *ctx, const spona_request *request,
                  spona_response *response);

/* handlers_assessment.c */
spona_status handle_assessment_record(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_assessment_get(struct request_context *ctx, const spona_request *request,
                  spona_response *response);

/* handlers_plan.c */
spona_status handle_plan_change(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_plan_get(struct request_context *ctx, const spona_request *request,
                  spona_response *response);

/* handlers_referral.c */
spona_status handle_referral_create(struct request_context *ctx, const spona_request *request,
                                    spona_response *response);
spona_status handle_referral_accept(struct request_context *ctx, const spona_request *request,
                                    spona_response *response);
spona_status handle_referral_decline(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_referral_complete(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_inbox(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_overdue(struct request_context *ctx, const spona_request *request,
                  spona_response *response);

/* handlers_records.c */
spona_status handle_conference_record(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_note_add(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_outcome_record(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_follow_up_record(struct request_context *ctx, const spona_request *request,
                  spona_response *response);

/* handlers_timeline.c */
spona_status handle_timeline(struct request_context *ctx, const spona_request *request,
                  spona_response *response);
spona_status handle_report(struct request_context *ctx, const spona_request *request,
                           spona_response *response);

/* region_registry.c (docs/region.md) */
spona_status handle_region_municipality_add(struct request_context *ctx, const spona_request *request,
                                            spona_response *response);
spona_status handle_region_municipality_list(struct request_context *ctx, const spona_request *request,
                                             spona_response *response);
spona_status handle_region_municipality_show(struct request_context *ctx, const spona_request *request,
                                             spona_response *response);
spona_status handle_region_institution_add(struct request_context *ctx, const spona_request *request,
                                           spona_response *response);
spona_status handle_region_institution_list(struct request_context *ctx, const spona_request *request,
                                            spona_response *response);

/* region_certs.c (docs/region.md) */
spona_status handle_region_cert_issue(struct request_context *ctx, const spona_request *request,
                                      spona_response *response);
spona_status handle_region_cert_upload(struct request_context *ctx, const spona_request *request,
                                       spona_response *response);

/* region_crl.c (docs/region.md) */
spona_status handle_region_cert_revoke(struct request_context *ctx, const spona_request *request,
                                       spona_response *response);
spona_status handle_region_cert_list(struct request_context *ctx, const spona_request *request,
                                     spona_response *response);
spona_status handle_region_crl_publish(struct request_context *ctx, const spona_request *request,
                                       spona_response *response);

/* region_sync.c (docs/region.md, the sync identity of a municipality) */
spona_status handle_sync_hello(struct request_context *ctx, const spona_request *request,
                               spona_response *response);
spona_status handle_sync_pull(struct request_context *ctx, const spona_request *request,
                              spona_response *response);
spona_status handle_sync_push(struct request_context *ctx, const spona_request *request,
                              spona_response *response);

/* handlers_caseload.c */
spona_status handle_case_list(struct request_context *ctx, const spona_request *request,
                              spona_response *response);

/* handlers_directory.c */
spona_status handle_directory(struct request_context *ctx, const spona_request *request,
                              spona_response *response);
spona_status handle_id_lookup(struct request_context *ctx, const spona_request *request,
                              spona_response *response);

#endif
