/*
 * The assessment domains and their categories (see case_domains.h). A new
 * domain is one row here and a line in docs/cases.md.
 */
#include "case_domains.h"

#include <string.h>

static const struct {
    const char *name;
    enum policy_category category;
} case_domains[] = {
    {"education_skills", POLICY_CATEGORY_EDUCATION_WORK},
    {"work_history", POLICY_CATEGORY_EDUCATION_WORK},
    {"health_disability", POLICY_CATEGORY_HEALTH_DISABILITY},
    {"housing", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
    {"family_care", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
    {"finances", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
    {"domestic_violence", POLICY_CATEGORY_SAFETY},
    {"transport", POLICY_CATEGORY_PLAN_MEASURES},
    {"childcare", POLICY_CATEGORY_PLAN_MEASURES},
    {"documents", POLICY_CATEGORY_PLAN_MEASURES},
    {"discrimination", POLICY_CATEGORY_PLAN_MEASURES},
};

int case_domain_category(const char *domain)
{
    for (size_t i = 0; i < sizeof(case_domains) / sizeof(case_domains[0]); i++)
        if (strcmp(case_domains[i].name, domain) == 0)
            return (int)case_domains[i].category;
    return -1;
}

const char *case_domains_text(void)
{
    return "education_skills, work_history, health_disability, housing, family_care, finances, "
           "domestic_violence, transport, childcare, documents or discrimination";
}
