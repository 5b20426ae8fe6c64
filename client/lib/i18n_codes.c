/*
 * The protocol's codes with labels (see i18n_codes.h). The msgid is the code itself: the
 * English catalog gives its English label, the others theirs. Keep in step with the
 * CHECK constraints of sql/ and the names of server/policy/policy.c.
 */
#include "i18n_codes.h"

#include "i18n.h"

#define CODE(kind, code) { kind, NC_(kind, code) }

const struct i18n_code i18n_codes[] = {
    CODE("stage", "intake"), CODE("stage", "assessment"), CODE("stage", "planning"),
    CODE("stage", "implementation"), CODE("stage", "review"), CODE("stage", "closed"),
    CODE("goal_status", "open"), CODE("goal_status", "achieved"),
    CODE("goal_status", "dropped"),
    CODE("measure_status", "planned"), CODE("measure_status", "in_progress"),
    CODE("measure_status", "done"), CODE("measure_status", "cancelled"),
    CODE("referral_status", "sent"), CODE("referral_status", "accepted"),
    CODE("referral_status", "declined"), CODE("referral_status", "completed"),
    CODE("measure_kind", "training"), CODE("measure_kind", "requalification"),
    CODE("measure_kind", "job_search_support"), CODE("measure_kind", "subsidised_employment"),
    CODE("measure_kind", "self_employment"), CODE("measure_kind", "social_enterprise"),
    CODE("measure_kind", "psychosocial_support"), CODE("measure_kind", "childcare"),
    CODE("measure_kind", "documents"), CODE("measure_kind", "public_works"),
    CODE("measure_kind", "other"),
    CODE("outcome_kind", "employed"), CODE("outcome_kind", "in_training"),
    CODE("outcome_kind", "training_completed"), CODE("outcome_kind", "self_employed"),
    CODE("outcome_kind", "left_benefits"), CODE("outcome_kind", "dropped_out"),
    CODE("category", "identity"), CODE("category", "contact_address"),
    CODE("category", "benefits_household"), CODE("category", "education_work"),
    CODE("category", "health_disability"), CODE("category", "safety"),
    CODE("category", "plan_measures"), CODE("category", "case_notes"),
    CODE("category", "outcomes"), CODE("category", "aggregates"),
    CODE("relation", "spouse"), CODE("relation", "child"), CODE("relation", "parent"),
    CODE("relation", "sibling"), CODE("relation", "other"),
    CODE("benefit_kind", "cash_assistance"), CODE("benefit_kind", "one_time_assistance"),
    CODE("benefit_kind", "child_allowance"), CODE("benefit_kind", "other"),
    CODE("team_via", "lead"), CODE("team_via", "referral"), CODE("team_via", "emergency"),
    CODE("role", "lead_agency"), CODE("role", "employment_service"),
    CODE("role", "education_provider"), CODE("role", "employer_liaison"),
    CODE("role", "service_provider"), CODE("role", "coordinator"),
    CODE("pathway", "integrated_case_management"), CODE("pathway", "social_entrepreneurship"),
    CODE("pathway", "other"),
    CODE("field", "first_name"), CODE("field", "last_name"), CODE("field", "jmbg"),
    CODE("field", "birth_date"), CODE("field", "sex"), CODE("field", "address"),
    CODE("field", "phone"), CODE("field", "email"), CODE("field", "benefit_status"),
    CODE("field", "household_size"), CODE("field", "rural"),
    CODE("field", "education_level"), CODE("field", "work_history"),
    CODE("field", "skills"), CODE("field", "disability_status"),
    CODE("field", "work_capability"), CODE("field", "work_capable"),
    CODE("field", "health_notes"), CODE("field", "safety_flag"),
    CODE("field", "safety_notes"), CODE("field", "priority_groups"),
    CODE("field", "reason"), CODE("field", "measure"), CODE("field", "due_date"),
    CODE("field", "opened_on"), CODE("field", "assessed_on"), CODE("field", "to_stage"),
    CODE("field", "query"), CODE("field", "title"), CODE("field", "kind"),
    CODE("field", "text"), CODE("field", "minutes"), CODE("field", "pathway"),
    CODE("field", "strengths"), CODE("field", "username"),
    CODE("field", "institution_code"), CODE("record", "person"), CODE("record", "case"),
    CODE("record", "plan"), CODE("record", "referral"), CODE("record", "outcome"),
    CODE("record", "assessment"), CODE("record", "consent"), CODE("record", "record"),
    CODE("access", "visible"), CODE("access", "hidden"), CODE("access", "allowed"),
    CODE("access", "denied"),
    { NULL, NULL },
};
