-- 029: needs assessments and a person's household and benefit periods read only through
-- category-aware views (docs/access.md "Columns by category", issue 10), as sql/025 did
-- for persons and the written records of a case:
--   * spona_app keeps SELECT only on the columns of assessments, assessment_domains,
--     person_household and person_benefits that are no one's personal data (ids,
--     municipality, the case or person, version, dates of the record, who wrote it, and a
--     domain's name): a direct SELECT of a domain's rating or notes, an assessment's
--     strengths, a household member's name or a benefit's amount is refused;
--   * <table>_for_caller views read the table with the owner's rights, decide the rows by
--     the table's row-level security read condition written out (integration.rls_leaks
--     compares them) and the columns by the stored decision table: NULL unless the caller
--     may read the category, decided once per row in a LATERAL subquery kept a subquery
--     with OFFSET 0 (028: pulled up, the call would be copied into every column).
-- Categories: a domain's is its row of assessment_domain_categories, the copy of
-- server/policy/case_domains.c that integration.category_views_a compares row for row; an
-- assessment's strengths are plan_measures (CASE_STRENGTHS_CATEGORY, case_domains.h, as
-- the server decides and the timeline labels an assessment); household members and
-- benefit periods are benefits_household, decided on the person (spona_decide_person),
-- as the person view decides them (server/handlers/person_household.c).

-- ---------------------------------------------------------------------------------
-- The categories of the assessment domains
-- ---------------------------------------------------------------------------------

-- One row per domain of server/policy/case_domains.c (a new domain is a row there, here,
-- and a line in docs/cases.md). A domain not listed is decided to nobody (NULL category).
CREATE TABLE assessment_domain_categories (
    domain   text PRIMARY KEY,
    category text NOT NULL
);
INSERT INTO assessment_domain_categories (domain, category) VALUES
    ('education_skills', 'education_work'), ('work_history', 'education_work'),
    ('health_disability', 'health_disability'),
    ('housing', 'benefits_household'), ('family_care', 'benefits_household'),
    ('finances', 'benefits_household'),
    ('domestic_violence', 'safety'),
    ('transport', 'plan_measures'), ('childcare', 'plan_measures'),
    ('documents', 'plan_measures'), ('discrimination', 'plan_measures');
GRANT SELECT ON assessment_domain_categories TO spona_app;

-- ---------------------------------------------------------------------------------
-- Assessments
-- ---------------------------------------------------------------------------------

REVOKE SELECT ON assessments, assessment_domains FROM spona_app;
-- the head of a version (who assessed, when) is the record's metadata: the timeline shows
-- it to every team member (server/handlers/handlers_timeline.c)
GRANT SELECT (id, case_id, municipality_id, version, assessed_on, assessor, created_at)
    ON assessments TO spona_app;
GRANT SELECT (assessment_id, municipality_id, domain) ON assessment_domains TO spona_app;

-- An assessment's head; its strengths only with read on plan_measures for the case.
-- strengths_given: whether any were recorded (the server lists its decision on
-- plan_measures only then, which tells a caller refused them as much).
-- Rows: assessments_team (006).
CREATE VIEW assessments_for_caller WITH (security_barrier = true) AS
    SELECT a.id, a.case_id, a.municipality_id, a.version, a.assessed_on, a.assessor,
           a.created_at, a.strengths <> '' AS strengths_given,
           CASE WHEN d.allowed THEN a.strengths END AS strengths
      FROM assessments a
     CROSS JOIN LATERAL (SELECT spona_decide('plan_measures', 'read', a.case_id) AS allowed
                         OFFSET 0) d
     WHERE a.municipality_id = spona_current_municipality() AND spona_case_visible(a.case_id);

-- A domain's rating and notes only with read on the domain's category for the
-- assessment's case. Rows: assessment_domains_team (006), with the case and category.
CREATE VIEW assessment_domains_for_caller WITH (security_barrier = true) AS
    SELECT m.assessment_id, m.municipality_id, m.domain, a.case_id, c.category,
           CASE WHEN d.allowed THEN m.rating END AS rating,
           CASE WHEN d.allowed THEN m.notes END AS notes
      FROM assessment_domains m
      JOIN assessments a ON a.id = m.assessment_id
      LEFT JOIN assessment_domain_categories c ON c.domain = m.domain
     CROSS JOIN LATERAL (SELECT c.category IS NOT NULL
                                AND spona_decide(c.category, 'read', a.case_id) AS allowed
                         OFFSET 0) d
     WHERE m.municipality_id = spona_current_municipality()
       AND spona_assessment_visible(m.assessment_id);

-- ---------------------------------------------------------------------------------
-- Household members and benefit periods (benefits_household)
-- ---------------------------------------------------------------------------------

REVOKE SELECT ON person_household, person_benefits FROM spona_app;
GRANT SELECT (id, person_id, municipality_id) ON person_household TO spona_app;
GRANT SELECT (id, person_id, municipality_id, created_at) ON person_benefits TO spona_app;

-- Rows: person_household_read / person_benefits_read (017).
CREATE VIEW person_household_for_caller WITH (security_barrier = true) AS
    SELECT h.id, h.person_id, h.municipality_id,
           CASE WHEN d.allowed THEN h.name END AS name,
           CASE WHEN d.allowed THEN h.relation END AS relation,
           CASE WHEN d.allowed THEN h.birth_year END AS birth_year
      FROM person_household h
     CROSS JOIN LATERAL (SELECT spona_decide_person('benefits_household', 'read', h.person_id)
                                AS allowed OFFSET 0) d
     WHERE h.municipality_id = spona_current_municipality()
       AND spona_person_visible(h.person_id);

CREATE VIEW person_benefits_for_caller WITH (security_barrier = true) AS
    SELECT b.id, b.person_id, b.municipality_id, b.created_at,
           CASE WHEN d.allowed THEN b.kind END AS kind,
           CASE WHEN d.allowed THEN b.since END AS since,
           CASE WHEN d.allowed THEN b.until END AS until,
           CASE WHEN d.allowed THEN b.amount END AS amount,
           CASE WHEN d.allowed THEN b.note END AS note
      FROM person_benefits b
     CROSS JOIN LATERAL (SELECT spona_decide_person('benefits_household', 'read', b.person_id)
                                AS allowed OFFSET 0) d
     WHERE b.municipality_id = spona_current_municipality()
       AND spona_person_visible(b.person_id);

GRANT SELECT ON assessments_for_caller, assessment_domains_for_caller,
    person_household_for_caller, person_benefits_for_caller TO spona_app;
