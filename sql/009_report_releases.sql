-- 009: indicators by priority group and one-time-assistance recipients per year, and the
-- released figures that institutions other than the lead agency get (issue 5,
-- docs/reports.md).
--
-- spona_indicators gains a third parameter, the codes of the protocol's priority groups
-- (the server passes those of the protocol in force), and three sets of rows:
--   persons_in_case_management / group:CODE and group:none
--   employed                   / group:CODE and group:none
--   one_time_assistance_recipients / year:YYYY, one per calendar year of the period
-- A person in two groups counts in both; group:none counts persons in none of the
-- protocol's groups. Every fixed row is still returned when zero.
--
-- report_releases / report_release_rows: the figures of one calendar quarter of one
-- municipality, computed once, the first time an institution other than the lead asks
-- for that quarter after it has ended, and answered unchanged from then on. A figure
-- that can be asked for again later (after a late entry), or for an overlapping period,
-- could be subtracted from its earlier self to single out the one person who made the
-- difference; a released figure never moves and released periods never overlap.

DROP FUNCTION spona_indicators(date, date);

CREATE FUNCTION spona_indicators(p_from date, p_to date, p_groups text[])
    RETURNS TABLE (indicator text, breakdown text, value numeric, base bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
WITH
-- cases opened in the period, with what the breakdowns need (age at the opening, the
-- person's priority groups)
opened AS (
    SELECT c.person_id, p.sex, p.rural,
           string_to_array(replace(COALESCE(p.priority_groups, ''), ' ', ''), ',') AS groups,
           CASE WHEN p.birth_date IS NULL THEN 'unknown'
                ELSE CASE WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 15 THEN '0-14'
                          WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 25 THEN '15-24'
                          WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 35 THEN '25-34'
                          WHEN extract(year FROM age(c.opened_at::date, p.birth_date)) < 50 THEN '35-49'
                          ELSE '50+' END END AS band
      FROM cases c JOIN persons p ON p.id = c.person_id
     WHERE c.municipality_id = spona_current_municipality()
       AND c.opened_at >= p_from AND c.opened_at < p_to + 1),
-- one row per person (a person with two cases opened in the period counts once; the
-- breakdowns take the first of them)
persons_opened AS (SELECT DISTINCT ON (person_id) * FROM opened ORDER BY person_id, band),
-- the referrals with an event in the period: created, answered or due
refs AS (
    SELECT r.created_at, r.accepted_at, r.declined_at, r.completed_at, r.due_date, r.status,
           c.person_id, i.code AS institution_code
      FROM referrals r JOIN cases c ON c.id = r.case_id
      JOIN institutions i ON i.id = r.institution_id
     WHERE r.municipality_id = spona_current_municipality()
       AND ((r.created_at >= p_from AND r.created_at < p_to + 1)
            OR (r.accepted_at >= p_from AND r.accepted_at < p_to + 1)
            OR (r.declined_at >= p_from AND r.declined_at < p_to + 1)
            OR (r.completed_at >= p_from AND r.completed_at < p_to + 1)
            OR r.due_date BETWEEN p_from AND p_to)),
outs AS (
    SELECT o.kind, o.pathway, o.occurred_on, c.person_id, c.opened_at,
           string_to_array(replace(COALESCE(p.priority_groups, ''), ' ', ''), ',') AS groups
      FROM outcomes o JOIN cases c ON c.id = o.case_id JOIN persons p ON p.id = c.person_id
     WHERE o.municipality_id = spona_current_municipality()
       AND o.occurred_on BETWEEN p_from AND p_to),
employed AS (SELECT DISTINCT ON (person_id) person_id, groups FROM outs WHERE kind = 'employed'),
-- first employment in the period of each person, days from the case's opening
employment AS (
    SELECT DISTINCT ON (person_id) person_id, (occurred_on - opened_at::date) AS days
      FROM outs WHERE kind = 'employed' ORDER BY person_id, occurred_on),
-- the protocol's groups in its order, then "none"
prio AS (
    SELECT g.code, g.n FROM unnest(p_groups) WITH ORDINALITY AS g(code, n)
    UNION ALL SELECT 'none', 1000),
-- (g, n): the rows' fixed order, by indicator group and breakdown
rows AS (
    SELECT 1 AS g, 0::bigint AS n, 'persons_in_case_management' AS indicator,
           'all' AS breakdown, count(*)::numeric AS value, count(*) AS base FROM persons_opened
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
    SELECT 5, gr.n, 'persons_in_case_management', 'group:' || gr.code, count(o.person_id),
           count(o.person_id)
      FROM prio gr
      LEFT JOIN persons_opened o
             ON CASE WHEN gr.code = 'none' THEN NOT (o.groups && p_groups)
                     ELSE gr.code = ANY (o.groups) END
     GROUP BY gr.n, gr.code
    UNION ALL
    SELECT 6, 0, 'assessed', 'all', count(DISTINCT c.person_id), count(DISTINCT c.person_id)
      FROM assessments a JOIN cases c ON c.id = a.case_id
     WHERE a.municipality_id = spona_current_municipality()
       AND a.assessed_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 7, 0, 'with_plan', 'all', count(DISTINCT c.person_id), count(DISTINCT c.person_id)
      FROM plans pl JOIN cases c ON c.id = pl.case_id
     WHERE pl.municipality_id = spona_current_municipality()
       AND pl.created_at >= p_from AND pl.created_at < p_to + 1
    UNION ALL
    SELECT 8, 0, 'referred', 'all', count(DISTINCT person_id), count(DISTINCT person_id)
      FROM refs WHERE created_at >= p_from AND created_at < p_to + 1
    UNION ALL
    SELECT 9, 0, 'referred', 'institution:' || institution_code, count(DISTINCT person_id),
           count(DISTINCT person_id)
      FROM refs WHERE created_at >= p_from AND created_at < p_to + 1 GROUP BY institution_code
    UNION ALL
    SELECT 10, 0, 'referrals_accepted', 'all', count(*), count(*)
      FROM refs WHERE accepted_at >= p_from AND accepted_at < p_to + 1
    UNION ALL
    SELECT 11, 0, 'referrals_declined', 'all', count(*), count(*)
      FROM refs WHERE declined_at >= p_from AND declined_at < p_to + 1
    UNION ALL
    SELECT 12, 0, 'referrals_completed', 'all', count(*), count(*)
      FROM refs WHERE completed_at >= p_from AND completed_at < p_to + 1
    UNION ALL
    SELECT 13, 0, 'referrals_overdue', 'all', count(*), count(*)
      FROM refs WHERE status IN ('sent', 'accepted') AND due_date < current_date
                  AND due_date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 14, k.n, k.k, 'all', count(DISTINCT o.person_id), count(DISTINCT o.person_id)
      FROM (VALUES (1, 'in_training'), (2, 'training_completed'), (3, 'self_employed'),
                   (4, 'left_benefits'), (5, 'dropped_out')) k(n, k)
      LEFT JOIN outs o ON o.kind = k.k GROUP BY k.n, k.k
    UNION ALL
    SELECT 15, 0, 'employed', 'all', count(*), count(*) FROM employed
    UNION ALL
    SELECT 16, w.n, 'employed', 'pathway:' || w.k, count(DISTINCT o.person_id),
           count(DISTINCT o.person_id)
      FROM (VALUES (1, 'integrated_case_management'), (2, 'social_entrepreneurship'),
                   (3, 'other')) w(n, k)
      LEFT JOIN outs o ON o.kind = 'employed'
                      AND (CASE WHEN o.pathway IN ('integrated_case_management',
                                                   'social_entrepreneurship')
                                THEN o.pathway ELSE 'other' END) = w.k
     GROUP BY w.n, w.k
    UNION ALL
    SELECT 17, gr.n, 'employed', 'group:' || gr.code, count(e.person_id), count(e.person_id)
      FROM prio gr
      LEFT JOIN employed e
             ON CASE WHEN gr.code = 'none' THEN NOT (e.groups && p_groups)
                     ELSE gr.code = ANY (e.groups) END
     GROUP BY gr.n, gr.code
    UNION ALL
    SELECT 18, m.k, 'still_employed', 'months:' || m.k, count(DISTINCT c.person_id),
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
    SELECT 19, 0, 'median_days_to_employment', 'all',
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY days)::numeric, 1), count(*)
      FROM employment
    UNION ALL
    -- persons of the municipality (in case management or not) with a one-time assistance
    -- that started in the period, per calendar year
    SELECT 20, y.y, 'one_time_assistance_recipients', 'year:' || y.y,
           count(DISTINCT b.person_id), count(DISTINCT b.person_id)
      FROM generate_series(extract(year FROM p_from)::bigint,
                           extract(year FROM p_to)::bigint) y(y)
      LEFT JOIN person_benefits b
             ON b.kind = 'one_time_assistance'
            AND b.municipality_id = spona_current_municipality()
            AND b.since BETWEEN greatest(p_from, make_date(y.y::integer, 1, 1))
                            AND least(p_to, make_date(y.y::integer, 12, 31))
     GROUP BY y.y)
SELECT indicator, breakdown, value, base FROM rows ORDER BY g, n, breakdown
$$;
REVOKE ALL ON FUNCTION spona_indicators(date, date, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_indicators(date, date, text[]) TO spona_app;

-- The released figures of a quarter (see above). Unsuppressed, as the function computed
-- them: the server suppresses small cells when it answers (server/handlers_report.c).
CREATE TABLE report_releases (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id  uuid NOT NULL REFERENCES municipalities(id),
    period_from      date NOT NULL,
    period_to        date NOT NULL CHECK (period_to >= period_from),
    protocol_version integer NOT NULL,
    released_at      timestamptz NOT NULL DEFAULT now(),
    released_for     uuid NOT NULL REFERENCES institutions(id),   -- whose request fixed it
    UNIQUE (municipality_id, period_from, period_to)
);
CREATE TABLE report_release_rows (
    release_id uuid NOT NULL REFERENCES report_releases(id),
    n          integer NOT NULL,
    indicator  text NOT NULL,
    breakdown  text NOT NULL,
    value      numeric,
    base       bigint NOT NULL,
    PRIMARY KEY (release_id, n)
);
ALTER TABLE report_releases ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_release_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_releases_municipality ON report_releases
    USING (municipality_id = spona_current_municipality())
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY report_release_rows_municipality ON report_release_rows
    USING (EXISTS (SELECT 1 FROM report_releases r
                    WHERE r.id = release_id AND r.municipality_id = spona_current_municipality()))
    WITH CHECK (EXISTS (SELECT 1 FROM report_releases r
                         WHERE r.id = release_id
                           AND r.municipality_id = spona_current_municipality()));
-- released figures are never changed or removed
GRANT SELECT, INSERT ON report_releases, report_release_rows TO spona_app;
