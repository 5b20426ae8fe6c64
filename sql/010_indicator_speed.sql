-- 010: the protocol's indicators, complete and fast at 1,000,000 persons (issue 5,
-- docs/reports.md, docs/performance.md: "spona-report-bench").
--
-- spona_indicators gets a third parameter, the codes of the protocol's priority groups
-- (the server passes those of the protocol in force), and three sets of rows:
--   persons_in_case_management / group:CODE and group:none
--   employed                   / group:CODE and group:none
--   one_time_assistance_recipients / year:YYYY, one per calendar year of the period
-- A person in two groups counts in both; group:none counts persons in none of the
-- protocol's groups. Every fixed row is still returned when zero.
--
-- Why 008's function was slow (9.7 s for 12 months, 27.8 s for five years, on 1,000,000
-- persons and 10,000,000 case events):
--   * A LANGUAGE sql function that cannot be inlined (SECURITY DEFINER, SET) is planned
--     with its parameters unknown: every "date in the period" condition was estimated at
--     0.5% of the rows, so the planner chose nested loops of index lookups for hundreds of
--     thousands of rows. PL/pgSQL with plan_cache_mode = force_custom_plan plans each
--     call with the actual dates.
--   * JIT compiled the big plan on every call (2.5 s); the work is a few scans and
--     joins, which JIT does not shorten.
--   * spona_current_municipality() is not parallel safe; it is read once into a variable.
--   * Every event reached its person through its case: 600,000 lookups in 1.1 million
--     cases for a year (1.5 s). The event tables now carry the person (person_id, set
--     from the case by a trigger, never by a client), and each event date has an index
--     that holds what the counts need, so a period reads only its own rows.
--   * One DISTINCT over all the events of the period built a hash of 600,000 persons
--     (1 s); a count(DISTINCT) per indicator over its own index is a third of that.
--   * age() and the splitting of priority groups ran per person (0.3 s); the persons
--     are now grouped into cells by age in years and the stored groups text first, and
--     bands and groups are worked out per cell.

-- the person of every case event, for counting persons without a join
ALTER TABLE assessments ADD COLUMN person_id uuid REFERENCES persons(id);
ALTER TABLE plans ADD COLUMN person_id uuid REFERENCES persons(id);
ALTER TABLE referrals ADD COLUMN person_id uuid REFERENCES persons(id);
ALTER TABLE outcomes ADD COLUMN person_id uuid REFERENCES persons(id);
ALTER TABLE outcome_follow_ups ADD COLUMN person_id uuid REFERENCES persons(id);
UPDATE assessments t SET person_id = c.person_id FROM cases c WHERE c.id = t.case_id;
UPDATE plans t SET person_id = c.person_id FROM cases c WHERE c.id = t.case_id;
UPDATE referrals t SET person_id = c.person_id FROM cases c WHERE c.id = t.case_id;
UPDATE outcomes t SET person_id = c.person_id FROM cases c WHERE c.id = t.case_id;
UPDATE outcome_follow_ups t SET person_id = o.person_id FROM outcomes o WHERE o.id = t.outcome_id;
ALTER TABLE assessments ALTER COLUMN person_id SET NOT NULL;
ALTER TABLE plans ALTER COLUMN person_id SET NOT NULL;
ALTER TABLE referrals ALTER COLUMN person_id SET NOT NULL;
ALTER TABLE outcomes ALTER COLUMN person_id SET NOT NULL;
ALTER TABLE outcome_follow_ups ALTER COLUMN person_id SET NOT NULL;

-- Set on every insert from the case (the follow-up: from its outcome), whatever the
-- insert said: a case's person never changes, so neither does an event's. Definer
-- rights: the case is read whatever row-level security shows the writer.
CREATE FUNCTION spona_event_person() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    SELECT c.person_id INTO NEW.person_id FROM cases c WHERE c.id = NEW.case_id;
    RETURN NEW;
END
$$;
CREATE FUNCTION spona_follow_up_person() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    SELECT o.person_id INTO NEW.person_id FROM outcomes o WHERE o.id = NEW.outcome_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER assessments_person BEFORE INSERT OR UPDATE OF case_id, person_id ON assessments
    FOR EACH ROW EXECUTE FUNCTION spona_event_person();
CREATE TRIGGER plans_person BEFORE INSERT OR UPDATE OF case_id, person_id ON plans
    FOR EACH ROW EXECUTE FUNCTION spona_event_person();
CREATE TRIGGER referrals_person BEFORE INSERT OR UPDATE OF case_id, person_id ON referrals
    FOR EACH ROW EXECUTE FUNCTION spona_event_person();
CREATE TRIGGER outcomes_person BEFORE INSERT OR UPDATE OF case_id, person_id ON outcomes
    FOR EACH ROW EXECUTE FUNCTION spona_event_person();
CREATE TRIGGER outcome_follow_ups_person
    BEFORE INSERT OR UPDATE OF outcome_id, person_id ON outcome_follow_ups
    FOR EACH ROW EXECUTE FUNCTION spona_follow_up_person();

-- every event date, with what its count needs
CREATE INDEX cases_municipality_opened ON cases (municipality_id, opened_at) INCLUDE (person_id);
CREATE INDEX cases_id_opened ON cases (id) INCLUDE (opened_at);
CREATE INDEX persons_id_indicators ON persons (id)
    INCLUDE (sex, rural, birth_date, priority_groups);
CREATE INDEX assessments_municipality_assessed ON assessments (municipality_id, assessed_on)
    INCLUDE (person_id);
CREATE INDEX plans_municipality_created ON plans (municipality_id, created_at)
    INCLUDE (person_id);
CREATE INDEX referrals_municipality_created ON referrals (municipality_id, created_at)
    INCLUDE (person_id, institution_id);
CREATE INDEX referrals_municipality_accepted ON referrals (municipality_id, accepted_at)
    WHERE accepted_at IS NOT NULL;
CREATE INDEX referrals_municipality_declined ON referrals (municipality_id, declined_at)
    WHERE declined_at IS NOT NULL;
CREATE INDEX referrals_municipality_completed ON referrals (municipality_id, completed_at)
    WHERE completed_at IS NOT NULL;
CREATE INDEX referrals_municipality_open_due ON referrals (municipality_id, due_date)
    WHERE status IN ('sent', 'accepted');
CREATE INDEX outcomes_municipality_occurred ON outcomes (municipality_id, occurred_on)
    INCLUDE (person_id, case_id, kind, pathway);
CREATE INDEX outcome_follow_ups_municipality_still ON outcome_follow_ups
    (municipality_id, checked_on) INCLUDE (person_id, months) WHERE still_employed;
CREATE INDEX person_benefits_municipality_one_time ON person_benefits (municipality_id, since)
    INCLUDE (person_id) WHERE kind = 'one_time_assistance';

DROP FUNCTION spona_indicators(date, date);

CREATE FUNCTION spona_indicators(p_from date, p_to date, p_groups text[])
    RETURNS TABLE (indicator text, breakdown text, value numeric, base bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public SET plan_cache_mode = force_custom_plan SET jit = off
    SET work_mem = '64MB' AS
$$
#variable_conflict use_column
DECLARE
    v_municipality uuid := spona_current_municipality();
BEGIN
RETURN QUERY
WITH
-- the persons with a case opened in the period, once each (a person with two such
-- cases takes the youngest age of the two), with what the breakdowns need: the age in
-- whole years on the day the case was opened (yyyymmdd numbers subtracted: cheaper
-- than age()), the priority groups as stored
persons_opened AS (
    SELECT DISTINCT ON (c.person_id) c.person_id, p.sex, p.rural, p.priority_groups,
           ((date_part('year', c.opened_at)::int * 10000
             + date_part('month', c.opened_at)::int * 100 + date_part('day', c.opened_at)::int)
            - (date_part('year', p.birth_date)::int * 10000
               + date_part('month', p.birth_date)::int * 100
               + date_part('day', p.birth_date)::int)) / 10000 AS years
      FROM cases c JOIN persons p ON p.id = c.person_id
     WHERE c.municipality_id = v_municipality
       AND c.opened_at >= p_from AND c.opened_at < p_to + 1
     ORDER BY c.person_id, 5 NULLS LAST),
-- how many of those persons have each combination of the breakdowns' values (a few
-- thousand cells at most): every breakdown of persons_in_case_management is summed from
-- these, and the priority groups are split per cell, not per person
opened_cells AS (
    SELECT sex, rural,
           string_to_array(replace(COALESCE(priority_groups, ''), ' ', ''), ',') AS groups,
           CASE WHEN years IS NULL THEN 'unknown'
                WHEN years < 15 THEN '0-14' WHEN years < 25 THEN '15-24'
                WHEN years < 35 THEN '25-34' WHEN years < 50 THEN '35-49'
                ELSE '50+' END AS band,
           persons
      FROM (SELECT sex, rural, priority_groups, years, count(*) AS persons
              FROM persons_opened GROUP BY sex, rural, priority_groups, years) cells),
outs AS (
    SELECT o.kind, o.pathway, o.occurred_on, o.person_id, o.case_id
      FROM outcomes o
     WHERE o.municipality_id = v_municipality
       AND o.occurred_on BETWEEN p_from AND p_to),
-- the persons employed in the period, counted per value of their priority groups
employed_cells AS (
    SELECT string_to_array(replace(COALESCE(p.priority_groups, ''), ' ', ''), ',') AS groups,
           count(*) AS persons
      FROM (SELECT DISTINCT person_id FROM outs WHERE kind = 'employed') e
      JOIN persons p ON p.id = e.person_id
     GROUP BY p.priority_groups),
-- first employment in the period of each person, days from the case's opening
employment AS (
    SELECT DISTINCT ON (o.person_id) o.person_id, (o.occurred_on - c.opened_at::date) AS days
      FROM outs o JOIN cases c ON c.id = o.case_id
     WHERE o.kind = 'employed' ORDER BY o.person_id, o.occurred_on),
-- the referrals sent in the period
sent AS (
    SELECT r.person_id, r.institution_id
      FROM referrals r
     WHERE r.municipality_id = v_municipality
       AND r.created_at >= p_from AND r.created_at < p_to + 1),
-- the protocol's groups in its order, then "none"
prio AS (
    SELECT g.code, g.n FROM unnest(p_groups) WITH ORDINALITY AS g(code, n)
    UNION ALL SELECT 'none', 1000),
-- (g, n): the rows' fixed order, by indicator group and breakdown; every count of
-- persons is a count(DISTINCT) of its own rows (cheaper than one DISTINCT over all)
rows AS (
    SELECT 1 AS g, 0::bigint AS n, 'persons_in_case_management' AS indicator,
           'all' AS breakdown, COALESCE(sum(o.persons), 0) AS value,
           COALESCE(sum(o.persons), 0)::bigint AS base
      FROM opened_cells o
    UNION ALL
    SELECT 2, s.n, 'persons_in_case_management', 'sex:' || s.k, COALESCE(sum(o.persons), 0),
           COALESCE(sum(o.persons), 0)::bigint
      FROM (VALUES (1, 'F'), (2, 'M'), (3, 'unknown')) s(n, k)
      LEFT JOIN opened_cells o ON COALESCE(o.sex, 'unknown') = s.k GROUP BY s.n, s.k
    UNION ALL
    SELECT 3, b.n, 'persons_in_case_management', 'age:' || b.k, COALESCE(sum(o.persons), 0),
           COALESCE(sum(o.persons), 0)::bigint
      FROM (VALUES (1, '0-14'), (2, '15-24'), (3, '25-34'), (4, '35-49'), (5, '50+'),
                   (6, 'unknown')) b(n, k)
      LEFT JOIN opened_cells o ON o.band = b.k GROUP BY b.n, b.k
    UNION ALL
    SELECT 4, a.n, 'persons_in_case_management', 'area:' || a.k, COALESCE(sum(o.persons), 0),
           COALESCE(sum(o.persons), 0)::bigint
      FROM (VALUES (1, 'rural'), (2, 'urban'), (3, 'unknown')) a(n, k)
      LEFT JOIN opened_cells o
             ON CASE WHEN o.rural THEN 'rural' WHEN NOT o.rural THEN 'urban' ELSE 'unknown' END = a.k
     GROUP BY a.n, a.k
    UNION ALL
    SELECT 5, gr.n, 'persons_in_case_management', 'group:' || gr.code,
           COALESCE(sum(o.persons), 0), COALESCE(sum(o.persons), 0)::bigint
      FROM prio gr
      LEFT JOIN opened_cells o
             ON CASE WHEN gr.code = 'none' THEN NOT (o.groups && p_groups)
                     ELSE gr.code = ANY (o.groups) END
     GROUP BY gr.n, gr.code
    UNION ALL
    SELECT 6, 0, 'assessed', 'all', count(DISTINCT a.person_id), count(DISTINCT a.person_id)
      FROM assessments a
     WHERE a.municipality_id = v_municipality AND a.assessed_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 7, 0, 'with_plan', 'all', count(DISTINCT pl.person_id), count(DISTINCT pl.person_id)
      FROM plans pl
     WHERE pl.municipality_id = v_municipality
       AND pl.created_at >= p_from AND pl.created_at < p_to + 1
    UNION ALL
    SELECT 8, 0, 'referred', 'all', count(DISTINCT person_id), count(DISTINCT person_id)
      FROM sent
    UNION ALL
    SELECT 9, 0, 'referred', 'institution:' || i.code, count(DISTINCT s.person_id),
           count(DISTINCT s.person_id)
      FROM sent s JOIN institutions i ON i.id = s.institution_id GROUP BY i.code
    UNION ALL
    SELECT 10, 0, 'referrals_accepted', 'all', count(*), count(*)
      FROM referrals r WHERE r.municipality_id = v_municipality
                         AND r.accepted_at >= p_from AND r.accepted_at < p_to + 1
    UNION ALL
    SELECT 11, 0, 'referrals_declined', 'all', count(*), count(*)
      FROM referrals r WHERE r.municipality_id = v_municipality
                         AND r.declined_at >= p_from AND r.declined_at < p_to + 1
    UNION ALL
    SELECT 12, 0, 'referrals_completed', 'all', count(*), count(*)
      FROM referrals r WHERE r.municipality_id = v_municipality
                         AND r.completed_at >= p_from AND r.completed_at < p_to + 1
    UNION ALL
    SELECT 13, 0, 'referrals_overdue', 'all', count(*), count(*)
      FROM referrals r WHERE r.municipality_id = v_municipality
                         AND r.status IN ('sent', 'accepted') AND r.due_date < current_date
                         AND r.due_date BETWEEN p_from AND p_to
    UNION ALL
    SELECT 14, k.n, k.k, 'all', count(DISTINCT o.person_id), count(DISTINCT o.person_id)
      FROM (VALUES (1, 'in_training'), (2, 'training_completed'), (3, 'self_employed'),
                   (4, 'left_benefits'), (5, 'dropped_out')) k(n, k)
      LEFT JOIN outs o ON o.kind = k.k GROUP BY k.n, k.k
    UNION ALL
    SELECT 15, 0, 'employed', 'all', COALESCE(sum(persons), 0), COALESCE(sum(persons), 0)::bigint
      FROM employed_cells
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
    SELECT 17, gr.n, 'employed', 'group:' || gr.code, COALESCE(sum(e.persons), 0),
           COALESCE(sum(e.persons), 0)::bigint
      FROM prio gr
      LEFT JOIN employed_cells e
             ON CASE WHEN gr.code = 'none' THEN NOT (e.groups && p_groups)
                     ELSE gr.code = ANY (e.groups) END
     GROUP BY gr.n, gr.code
    UNION ALL
    SELECT 18, m.k, 'still_employed', 'months:' || m.k, count(DISTINCT f.person_id),
           count(DISTINCT f.person_id)
      FROM (VALUES (3), (6), (12)) m(k)
      LEFT JOIN outcome_follow_ups f
             ON f.months = m.k AND f.still_employed AND f.municipality_id = v_municipality
            AND f.checked_on BETWEEN p_from AND p_to
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
            AND b.municipality_id = v_municipality
            AND b.since BETWEEN greatest(p_from, make_date(y.y::integer, 1, 1))
                            AND least(p_to, make_date(y.y::integer, 12, 31))
     GROUP BY y.y)
SELECT r.indicator, r.breakdown, r.value, r.base FROM rows r ORDER BY r.g, r.n, r.breakdown;
END
$$;
REVOKE ALL ON FUNCTION spona_indicators(date, date, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_indicators(date, date, text[]) TO spona_app;
