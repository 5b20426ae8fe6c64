/*
 * The domains of a needs assessment and the data category each belongs to
 * (docs/cases.md, "Records of a case and their categories"): what decides who
 * may read or write a domain's rating and notes. Strengths are plan_measures.
 * Pure data: no database, no decisions.
 */
#ifndef SPONA_CASE_DOMAINS_H
#define SPONA_CASE_DOMAINS_H

#include "policy.h"

/* The category of the assessment's strengths. */
#define CASE_STRENGTHS_CATEGORY POLICY_CATEGORY_PLAN_MEASURES

/* The category of domain (e.g. "housing" -> benefits_household), or -1 for an unknown domain. */
int case_domain_category(const char *domain);

/* The domains as text for an error message: "education_skills, ... or discrimination". */
const char *case_domains_text(void);

#endif
