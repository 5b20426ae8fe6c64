-- 008: the protocol's indicators (issue 5, docs/reports.md). One function computes
-- every indicator of the caller's municipality (spona_current_municipality()) for a
-- period of dates, as (indicator, breakdown, value, base) rows: counts only, never an
-- id, a name or any other value of one person. It runs with the owner's rights, so the
-- figures are municipality-wide whoever asks; the server decides who may ask (the
-- `aggregates` category of the protocol) and suppresses small cells for everyone but
-- the lead agency (server/handlers/handlers_report.c).
--   value: the figure (a count; for median_days_to_employment the median in days)
--   base:  how many persons (or referrals) the figure is computed over
-- Every fixed breakdown is returned even when zero, so the shape of the answer says
-- nothing about the data.

CREATE FUNCTION spona_indicators(p_from date, p_to date)
    RETURNS TABLE (indicator text, breakdown text, value numeric, base bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
WITH
-- cases opened in the period, with what the breakdowns need (age at the opening)
opened AS (
    SELECT c.person_id, p.sex, p.rural,
           CASE WHEN p.birth_date IS NULL THEN 'unknown'
                ELSE CASE WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 15 THEN '0-14'
                          WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 25 THEN '15-24'
                          WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 35 THEN '25-34'
                          WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 50 THEN '35-49'
                          ELSE '50+' END END AS band
      FROM cases c JOIN persons p ON p.id = c.person_id
     WHERE c.municipality_id = spona_current_municipality()
       AND c.opened_at::date BETWEEN p_from AND p_to),
-- one row per person (a person with two cases opened in the period counts once; the
-- breakdowns take the first of them)
persons_opened AS (SELECT DISTINCT ON (person_id) * FROM opened ORDER BY person_id, band),
refs AS (
    SELECT r.*, c.person_id, i.code AS institution_code
      FROM referrals r JOIN cases c ON c.id = r.case_id
      JOIN institutions i ON i.id = r.institution_id
     WHERE r.municipality_id = spona_current_municipality()),
outs AS (
    SELECT o.*, c.person_id, c.opened_at
      FROM outcomes o JOIN cases c ON c.id = o.case_id
     WHERE o.municipality_id = spona_current_municipality()
       AND o.occurred_on BETWEEN p_from AND p_to),
-- first employment in the period of each person, days from the case's opening
employment AS (
    SELECT DISTINCT ON (person_id) person_id, (occurred_on - opened_at::date) AS days
      FROM outs WHERE kind = 'employed' ORDER BY person_id, occurred_on),
-- (g, n): the rows' fixed order, by indicator group and breakdown
rows AS (
    SELECT 1 AS g, 0 AS n, 'persons_in_case_management' AS indicator, 'all' AS breakdown,
           count(*)::numeric AS value, count(*) AS base FROM persons_opened
    UNION ALL
    SELECT 2, s.n, 'persons_in_case_management', 'sex:' || s.k, count(o.person_id),
           count(o.person_id)
      FROM (VALUES (1, 'F'), (2, 'M'), (3, 'unknown')) s(n, k)
      LEFT JOIN persons_opened o ON COALESCE(o.sex, 'unknown') = s.k GROUP BY s.n, s.k
    UNION ALL
    SELECT 3, b.n, 'persons_in_case_management', 'age:' || b.k, count(o.person_id),
           count(o.person_id)
      FROM (VALUES (1, '0-14'), (2, '15-24'), (3, '25-34'), (4, '35-49'), (5, '50+'),
                   (6, 'unknown')) b(n, k)
      LEFT JOIN persons_opened o ON o.band = b.k GROUP BY b.n, b.k
    UNION ALL
    SELECT 4, a.n, 'persons_in_case_management', 'area:' || a.k, count(o.person_id),
           count(o.person_id)
      FROM (VALUES (1, 'rural'), (2, 'urban'), (3, 'unknown')) a(n, k)
      LEFT JOIN persons_opened o
             ON CASE WHEN o.rural THEN 'rural' WHEN NOT o.rural THEN 'urban' ELSE 'unknown' END = a.k
     GROUP BY a.n, a.k
    UNION ALL
    SELECT 5, 0, 'assessed', 'all', count(DISTINCT c.person_id), count(DISTINCT c.person_id)
      FROM assessments a JOIN cases c ON c.id = a.case_id
     WHERE a.municipality_id = spona_current_municipality()
       AND a.assessed_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 6, 0, 'with_plan', 'all', count(DISTINCT c.person_id), count(DISTINCT c.person_id)
      FROM plans pl JOIN cases c ON c.id = pl.case_id
     WHERE pl.municipality_id = spona_current_municipality()
       AND pl.created_at::date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 7, 0, 'referred', 'all', count(DISTINCT person_id), count(DISTINCT person_id)
      FROM refs WHERE created_at::date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 8, 0, 'referred', 'institution:' || institution_code, count(DISTINCT person_id),
           count(DISTINCT person_id)
      FROM refs WHERE created_at::date BETWEEN p_from AND p_to GROUP BY institution_code
    UNION ALL
    SELECT 9, 0, 'referrals_accepted', 'all', count(*), count(*)
      FROM refs WHERE accepted_at::date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 10, 0, 'referrals_declined', 'all', count(*), count(*)
      FROM refs WHERE declined_at::date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 11, 0, 'referrals_completed', 'all', count(*), count(*)
      FROM refs WHERE completed_at::date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 12, 0, 'referrals_overdue', 'all', count(*), count(*)
      FROM refs WHERE status IN ('sent', 'accepted') AND due_date < current_date
                  AND due_date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 13, k.n, k.k, 'all', count(DISTINCT o.person_id), count(DISTINCT o.person_id)
      FROM (VALUES (1, 'in_training'), (2, 'training_completed'), (3, 'self_employed'),
                   (4, 'left_benefits'), (5, 'dropped_out')) k(n, k)
      LEFT JOIN outs o ON o.kind = k.k GROUP BY k.n, k.k
    UNION ALL
    SELECT 14, 0, 'employed', 'all', count(DISTINCT person_id), count(DISTINCT person_id)
      FROM outs WHERE kind = 'employed'
    UNION ALL
    SELECT 15, w.n, 'employed', 'pathway:' || w.k, count(DISTINCT o.person_id),
           count(DISTINCT o.person_id)
      FROM (VALUES (1, 'integrated_case_management'), (2, 'social_entrepreneurship'),
                   (3, 'other')) w(n, k)
      LEFT JOIN outs o ON o.kind = 'employed'
                      AND (CASE WHEN o.pathway IN ('integrated_case_management',
                                                   'social_entrepreneurship')
                                THEN o.pathway ELSE 'other' END) = w.k
     GROUP BY w.n, w.k
    UNION ALL
    SELECT 16, m.k, 'still_employed', 'months:' || m.k, count(DISTINCT c.person_id),
           count(DISTINCT c.person_id)
      FROM (VALUES (3), (6), (12)) m(k)
      LEFT JOIN outcome_follow_ups f
             ON f.months = m.k AND f.still_employed
            AND f.municipality_id = spona_current_municipality()
            AND f.checked_on BETWEEN p_from AND p_to
      LEFT JOIN outcomes o ON o.id = f.outcome_id
      LEFT JOIN cases c ON c.id = o.case_id
     GROUP BY m.k
    UNION ALL
    SELECT 17, 0, 'median_days_to_employment', 'all',
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY days)::numeric, 1), count(*)
      FROM employment)
SELECT indicator, breakdown, value, base FROM rows ORDER BY g, n, breakdown
$$;
REVOKE ALL ON FUNCTION spona_indicators(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_indicators(date, date) TO spona_app;
