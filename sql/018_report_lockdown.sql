-- 018: reports that SQL cannot turn into a person's figures (docs/reports.md).
--
-- Before this migration spona_app could call spona_indicators for any period with any
-- identity (the coordinator's included) and read it live and unsuppressed, and could
-- read the raw figures of every release (report_release_rows.value). Now:
--   * spona_indicators answers only a lead agency of the protocol in force that leads
--     at least one case, and only over the cases it leads (otherwise SQLSTATE 42501);
--     the computation itself, spona_indicators_over, is not executable by spona_app;
--   * a quarter's release is made and read only through spona_report_release, which
--     computes the figures, suppresses them (spona_report_protect: small cells, the
--     secondary rule and the interval rule of server/policy/report_suppress.c and
--     report_intervals.c, of which it is a transcription checked against them by
--     tests/integration/test_report.c) and stores only what is shown ("<5", "x", a
--     number, "n/a"); existing releases are converted and their raw figures dropped;
--     spona_app no longer inserts into the release tables itself.

-- The live figures of the municipality p_municipality; of the cases p_lead leads when
-- p_lead is not NULL (every event through its case; one-time assistances: persons with
-- such a case). 010's function with that filter; owner only.
CREATE FUNCTION spona_indicators_over(p_from date, p_to date, p_groups text[],
                                      p_municipality uuid, p_lead uuid)
    RETURNS TABLE (indicator text, breakdown text, value numeric, base bigint)
    LANGUAGE plpgsql STABLE
    SET search_path = public SET plan_cache_mode = force_custom_plan SET jit = off
    SET work_mem = '64MB' AS
$$
#variable_conflict use_column
DECLARE
    v_municipality uuid := p_municipality;
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
       AND (p_lead IS NULL OR c.lead_institution_id = p_lead)
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
       AND o.occurred_on BETWEEN p_from AND p_to
       AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc WHERE lc.id = o.case_id
                                                    AND lc.lead_institution_id = p_lead))),
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
       AND r.created_at >= p_from AND r.created_at < p_to + 1
       AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc WHERE lc.id = r.case_id
                                                    AND lc.lead_institution_id = p_lead))),
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
       AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc WHERE lc.id = a.case_id
                                                    AND lc.lead_institution_id = p_lead))
    UNION ALL
    SELECT 7, 0, 'with_plan', 'all', count(DISTINCT pl.person_id), count(DISTINCT pl.person_id)
      FROM plans pl
     WHERE pl.municipality_id = v_municipality
       AND pl.created_at >= p_from AND pl.created_at < p_to + 1
       AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc WHERE lc.id = pl.case_id
                                                    AND lc.lead_institution_id = p_lead))
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
                         AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc
                                                         WHERE lc.id = r.case_id
                                                           AND lc.lead_institution_id = p_lead))
                         AND r.accepted_at >= p_from AND r.accepted_at < p_to + 1
    UNION ALL
    SELECT 11, 0, 'referrals_declined', 'all', count(*), count(*)
      FROM referrals r WHERE r.municipality_id = v_municipality
                         AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc
                                                         WHERE lc.id = r.case_id
                                                           AND lc.lead_institution_id = p_lead))
                         AND r.declined_at >= p_from AND r.declined_at < p_to + 1
    UNION ALL
    SELECT 12, 0, 'referrals_completed', 'all', count(*), count(*)
      FROM referrals r WHERE r.municipality_id = v_municipality
                         AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc
                                                         WHERE lc.id = r.case_id
                                                           AND lc.lead_institution_id = p_lead))
                         AND r.completed_at >= p_from AND r.completed_at < p_to + 1
    UNION ALL
    SELECT 13, 0, 'referrals_overdue', 'all', count(*), count(*)
      FROM referrals r WHERE r.municipality_id = v_municipality
                         AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc
                                                         WHERE lc.id = r.case_id
                                                           AND lc.lead_institution_id = p_lead))
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
            AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM outcomes lo
                                              JOIN cases lc ON lc.id = lo.case_id
                                             WHERE lo.id = f.outcome_id
                                              AND lc.lead_institution_id = p_lead))
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
            AND (p_lead IS NULL OR EXISTS (SELECT 1 FROM cases lc WHERE lc.person_id = b.person_id
                                              AND lc.lead_institution_id = p_lead))
            AND b.since BETWEEN greatest(p_from, make_date(y.y::integer, 1, 1))
                            AND least(p_to, make_date(y.y::integer, 12, 31))
     GROUP BY y.y)
SELECT r.indicator, r.breakdown, r.value, r.base FROM rows r ORDER BY r.g, r.n, r.breakdown;
END
$$;
REVOKE ALL ON FUNCTION spona_indicators_over(date, date, text[], uuid, uuid) FROM PUBLIC;

-- The protocol version in force in municipality p_municipality, as the server finds it
-- (server/policy/access.c): the latest activated one whose effective date has come.
-- protocols.activated_at comes with sql/019, applied in the same migrate run; PL/pgSQL
-- resolves the column when the function first runs, after that.
CREATE FUNCTION spona_report_protocol_version(p_municipality uuid) RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    RETURN (SELECT version FROM protocols
             WHERE municipality_id = p_municipality AND effective_date <= current_date
               AND activated_at IS NOT NULL
             ORDER BY version DESC LIMIT 1);
END
$$;
REVOKE ALL ON FUNCTION spona_report_protocol_version(uuid) FROM PUBLIC;

-- Live figures: only for a lead agency of the protocol in force, over the cases it leads.
CREATE OR REPLACE FUNCTION spona_indicators(p_from date, p_to date, p_groups text[])
    RETURNS TABLE (indicator text, breakdown text, value numeric, base bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    v_municipality uuid := spona_current_municipality();
    v_institution uuid := spona_current_institution();
BEGIN
    IF v_municipality IS NULL OR v_institution IS NULL
       OR NOT EXISTS (SELECT 1 FROM protocol_signatories s JOIN protocols pr ON pr.id = s.protocol_id
                       WHERE pr.municipality_id = v_municipality
                         AND pr.version = spona_report_protocol_version(v_municipality)
                         AND s.institution_id = v_institution AND s.role = 'lead_agency')
       OR NOT EXISTS (SELECT 1 FROM cases c WHERE c.municipality_id = v_municipality
                                              AND c.lead_institution_id = v_institution) THEN
        RAISE EXCEPTION 'live figures are only for a lead agency, over the cases it leads'
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT * FROM spona_indicators_over(p_from, p_to, p_groups, v_municipality,
                                                     v_institution);
END
$$;
REVOKE ALL ON FUNCTION spona_indicators(date, date, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_indicators(date, date, text[]) TO spona_app;

-- --- suppression (server/policy/report_suppress.c and report_intervals.c) ----------------
-- Cells: 0 shown, 1 small ("<5"), 2 hidden ("x"), 3 withheld ("x", its whole indicator).
-- Pure functions over one report's figures in its order; spona_app may call them (they
-- see only the arrays they are given), so that tests compare them with the C rules.

-- The dimension of a breakdown ("sex" of "sex:F"); '' for "all".
CREATE FUNCTION spona_report_dimension(p_breakdown text) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN position(':' IN p_breakdown) > 0 THEN split_part(p_breakdown, ':', 1)
               ELSE '' END $$;

-- The secondary rule: every linked set (an indicator's "all" and one dimension) hides
-- none or at least two cells (report_suppress_secondary).
CREATE FUNCTION spona_report_secondary(p_indicator text[], p_breakdown text[], p_base bigint[],
                                       p_linked boolean[], p_cell integer[])
    RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
    n integer := COALESCE(array_length(p_indicator, 1), 0);
    cell integer[] := p_cell;
    dim text[];
    changed boolean := true;
    v_first boolean;
    v_all integer;
    hidden integer;
    smallest integer;
BEGIN
    FOR i IN 1..n LOOP
        dim[i] := spona_report_dimension(p_breakdown[i]);
    END LOOP;
    WHILE changed LOOP
        changed := false;
        FOR i IN 1..n LOOP
            CONTINUE WHEN NOT p_linked[i] OR dim[i] = '';
            v_first := true;
            FOR j IN 1..i - 1 LOOP
                IF p_linked[j] AND p_indicator[j] = p_indicator[i] AND dim[j] = dim[i] THEN
                    v_first := false;
                    EXIT;
                END IF;
            END LOOP;
            CONTINUE WHEN NOT v_first;
            v_all := NULL;
            FOR j IN 1..n LOOP
                IF p_linked[j] AND p_indicator[j] = p_indicator[i] AND p_breakdown[j] = 'all' THEN
                    v_all := j;
                    EXIT;
                END IF;
            END LOOP;
            CONTINUE WHEN v_all IS NULL;
            hidden := CASE WHEN cell[v_all] <> 0 THEN 1 ELSE 0 END;
            smallest := NULL;
            FOR j IN 1..n LOOP
                CONTINUE WHEN NOT p_linked[j] OR p_indicator[j] <> p_indicator[i]
                              OR dim[j] <> dim[i];
                IF cell[j] <> 0 THEN
                    hidden := hidden + 1;
                ELSIF p_base[j] > 0 AND (smallest IS NULL OR p_base[j] < p_base[smallest]) THEN
                    smallest := j;
                END IF;
            END LOOP;
            CONTINUE WHEN hidden <> 1;
            IF smallest IS NOT NULL THEN
                cell[smallest] := 2;
                changed := true;
            ELSIF cell[v_all] = 0 AND p_base[v_all] > 0 THEN
                cell[v_all] := 2;
                changed := true;
            END IF;
        END LOOP;
    END LOOP;
    RETURN cell;
END
$$;

-- Sum of min(high, cap) over the cells p_members but p_skip, saturating at p_inf.
CREATE FUNCTION spona_report_capped_sum(p_high bigint[], p_members integer[], p_skip integer,
                                        p_cap bigint, p_inf bigint)
    RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
    total bigint := 0;
    m integer;
BEGIN
    FOREACH m IN ARRAY p_members LOOP
        CONTINUE WHEN m = p_skip;
        total := CASE WHEN total >= p_inf OR least(p_high[m], p_cap) >= p_inf THEN p_inf
                      ELSE least(total + least(p_high[m], p_cap), p_inf) END;
    END LOOP;
    RETURN total;
END
$$;

-- The interval rule (report_intervals.c): the index of the first small or hidden linked
-- cell whose interval, worked out from what the cells publish, holds fewer values than
-- required (min, or min - 1 for "<5"); every such cell when the published figures
-- contradict each other; 0 when none is pinned.
CREATE FUNCTION spona_report_pinned(p_indicator text[], p_breakdown text[], p_base bigint[],
                                    p_linked boolean[], p_cell integer[], p_min integer)
    RETURNS integer LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
    inf constant bigint := 1000000000000;
    n integer := COALESCE(array_length(p_indicator, 1), 0);
    dim text[];
    pl bigint[]; -- published low and high
    ph bigint[];
    lo bigint[];
    hi bigint[];
    contradiction boolean := false;
    v_skip boolean;
    members integer[];
    part boolean;
    a_lo bigint;
    a_hi bigint;
    s_lo bigint;
    s_hi bigint;
    r_lo bigint;
    r_hi bigint;
    unbounded integer;
    least_rest bigint;
    width bigint;
    required bigint;
    m integer;
    o integer;
BEGIN
    FOR i IN 1..n LOOP
        dim[i] := spona_report_dimension(p_breakdown[i]);
        pl[i] := CASE p_cell[i] WHEN 1 THEN 1 WHEN 2 THEN p_min WHEN 3 THEN 0 ELSE p_base[i] END;
        ph[i] := CASE p_cell[i] WHEN 1 THEN p_min - 1 WHEN 0 THEN p_base[i] ELSE inf END;
        lo[i] := pl[i];
        hi[i] := ph[i];
    END LOOP;
    FOR k IN 1..n LOOP -- k: an indicator's first "all", unless the indicator is withheld
        CONTINUE WHEN NOT p_linked[k] OR p_breakdown[k] <> 'all';
        v_skip := false;
        FOR j IN 1..n LOOP
            v_skip := v_skip OR (p_linked[j] AND p_indicator[j] = p_indicator[k]
                             AND (p_cell[j] = 3 OR (j < k AND p_breakdown[j] = 'all')));
        END LOOP;
        CONTINUE WHEN v_skip;
        a_lo := pl[k];
        a_hi := ph[k];
        FOR pass IN 0..1 LOOP
            FOR i IN 1..n LOOP
                CONTINUE WHEN NOT p_linked[i] OR p_indicator[i] <> p_indicator[k] OR dim[i] = '';
                v_skip := false;
                FOR j IN 1..i - 1 LOOP
                    v_skip := v_skip OR (p_linked[j] AND p_indicator[j] = p_indicator[k]
                                     AND dim[j] = dim[i]);
                END LOOP;
                CONTINUE WHEN v_skip;
                members := ARRAY(SELECT g.cell FROM generate_series(i, n) AS g(cell)
                                  WHERE p_linked[g.cell] AND p_indicator[g.cell] = p_indicator[k]
                                    AND dim[g.cell] = dim[i]);
                part := dim[i] IN ('sex', 'age', 'area')
                        OR (cardinality(members) = 2
                            AND (p_breakdown[members[1]] = dim[i] || ':none'
                                 OR p_breakdown[members[2]] = dim[i] || ':none'));
                IF pass = 0 THEN
                    s_lo := 0;
                    FOREACH m IN ARRAY members LOOP
                        s_lo := CASE WHEN part THEN least(s_lo + pl[m], inf)
                                     ELSE greatest(s_lo, pl[m]) END;
                    END LOOP;
                    s_hi := spona_report_capped_sum(ph, members, 0, inf, inf);
                    a_lo := greatest(a_lo, s_lo);
                    a_hi := least(a_hi, s_hi);
                    CONTINUE;
                END IF;
                FOREACH m IN ARRAY members LOOP
                    r_hi := spona_report_capped_sum(ph, members, m, inf, inf);
                    r_lo := spona_report_capped_sum(pl, members, m, inf, inf);
                    IF part THEN
                        lo[m] := CASE WHEN r_hi >= inf THEN pl[m] ELSE greatest(pl[m], a_lo - r_hi) END;
                        hi[m] := CASE WHEN a_hi >= inf THEN ph[m] ELSE least(ph[m], a_hi - r_lo) END;
                        CONTINUE;
                    END IF;
                    hi[m] := least(ph[m], a_hi);
                    unbounded := (SELECT count(*) FROM unnest(members) AS u(cell)
                                   WHERE u.cell <> m AND ph[u.cell] >= inf);
                    IF a_hi >= inf AND unbounded >= 2 THEN
                        least_rest := -inf;
                    ELSE
                        least_rest := a_lo - spona_report_capped_sum(ph, members, m, a_lo, inf);
                        IF a_hi < inf THEN
                            least_rest := least(least_rest,
                                                a_hi - spona_report_capped_sum(ph, members, m, a_hi, inf));
                        END IF;
                        FOREACH o IN ARRAY members LOOP
                            IF o <> m AND ph[o] > a_lo AND ph[o] < a_hi THEN
                                least_rest := least(least_rest,
                                                    ph[o] - spona_report_capped_sum(ph, members, m, ph[o], inf));
                            END IF;
                        END LOOP;
                    END IF;
                    lo[m] := greatest(pl[m], least_rest);
                END LOOP;
            END LOOP;
            IF a_lo > a_hi THEN
                contradiction := true;
                EXIT;
            END IF;
            lo[k] := a_lo;
            hi[k] := a_hi;
        END LOOP;
    END LOOP;
    FOR i IN 1..n LOOP
        contradiction := contradiction OR lo[i] > hi[i];
    END LOOP;
    FOR i IN 1..n LOOP
        CONTINUE WHEN NOT p_linked[i] OR p_cell[i] NOT IN (1, 2);
        width := CASE WHEN hi[i] >= inf OR lo[i] <= -inf THEN inf ELSE hi[i] - lo[i] + 1 END;
        required := CASE WHEN p_cell[i] = 1 THEN p_min - 1 ELSE p_min END;
        IF contradiction OR width < required THEN
            RETURN i;
        END IF;
    END LOOP;
    RETURN 0;
END
$$;

-- Hides one more cell for the pinned cell p_pinned (report_intervals.c, hide_for): the
-- smallest non-zero shown cell of its dimension, else its indicator's "all", else the
-- smallest non-zero shown cell of the indicator; none left: the indicator is withheld.
CREATE FUNCTION spona_report_hide_for(p_indicator text[], p_breakdown text[], p_base bigint[],
                                      p_linked boolean[], p_cell integer[], p_pinned integer)
    RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
    n integer := COALESCE(array_length(p_indicator, 1), 0);
    cell integer[] := p_cell;
    ind text := p_indicator[p_pinned];
    dim text := spona_report_dimension(p_breakdown[p_pinned]);
    v_next integer;
BEGIN
    FOR pick IN 1..3 LOOP
        FOR j IN 1..n LOOP
            CONTINUE WHEN NOT p_linked[j] OR cell[j] <> 0 OR p_base[j] = 0
                          OR p_indicator[j] <> ind;
            IF pick = 1 AND dim <> '' AND spona_report_dimension(p_breakdown[j]) = dim
               AND (v_next IS NULL OR p_base[j] < p_base[v_next]) THEN
                v_next := j;
            ELSIF pick = 2 AND v_next IS NULL AND p_breakdown[j] = 'all' THEN
                v_next := j;
            ELSIF pick = 3 AND (v_next IS NULL OR p_base[j] < p_base[v_next]) THEN
                v_next := j;
            END IF;
        END LOOP;
        EXIT WHEN v_next IS NOT NULL;
    END LOOP;
    IF v_next IS NOT NULL THEN
        cell[v_next] := 2;
        RETURN cell;
    END IF;
    FOR j IN 1..n LOOP
        IF p_linked[j] AND p_indicator[j] = ind THEN
            cell[j] := 3;
        END IF;
    END LOOP;
    RETURN cell;
END
$$;

-- The cells of one report's figures as released (report_protect): small cells, then the
-- secondary rule, then more hidden until no hidden cell is pinned.
CREATE FUNCTION spona_report_protect(p_indicator text[], p_breakdown text[], p_base bigint[],
                                     p_linked boolean[], p_min integer)
    RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
    cell integer[];
    pinned integer;
BEGIN
    FOR i IN 1..COALESCE(array_length(p_indicator, 1), 0) LOOP
        cell[i] := CASE WHEN p_base[i] > 0 AND p_base[i] < p_min THEN 1 ELSE 0 END;
    END LOOP;
    cell := spona_report_secondary(p_indicator, p_breakdown, p_base, p_linked, cell);
    LOOP
        pinned := spona_report_pinned(p_indicator, p_breakdown, p_base, p_linked, cell, p_min);
        EXIT WHEN pinned = 0;
        cell := spona_report_hide_for(p_indicator, p_breakdown, p_base, p_linked, cell, pinned);
        cell := spona_report_secondary(p_indicator, p_breakdown, p_base, p_linked, cell);
    END LOOP;
    RETURN cell;
END
$$;

-- A figure as shown (report_cell_text).
CREATE FUNCTION spona_report_shown(p_value numeric, p_cell integer) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE p_cell WHEN 1 THEN '<5' WHEN 2 THEN 'x' WHEN 3 THEN 'x'
                      ELSE COALESCE(p_value::text, 'n/a') END $$;

-- Only a count takes part in its indicator's linked sets; the median does not.
CREATE FUNCTION spona_report_linked(p_indicator text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS
$$ SELECT p_indicator <> 'median_days_to_employment' $$;

REVOKE ALL ON FUNCTION spona_report_dimension(text), spona_report_shown(numeric, integer),
    spona_report_linked(text),
    spona_report_secondary(text[], text[], bigint[], boolean[], integer[]),
    spona_report_capped_sum(bigint[], integer[], integer, bigint, bigint),
    spona_report_pinned(text[], text[], bigint[], boolean[], integer[], integer),
    spona_report_hide_for(text[], text[], bigint[], boolean[], integer[], integer),
    spona_report_protect(text[], text[], bigint[], boolean[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_report_dimension(text), spona_report_shown(numeric, integer),
    spona_report_linked(text),
    spona_report_secondary(text[], text[], bigint[], boolean[], integer[]),
    spona_report_capped_sum(bigint[], integer[], integer, bigint, bigint),
    spona_report_pinned(text[], text[], bigint[], boolean[], integer[], integer),
    spona_report_hide_for(text[], text[], bigint[], boolean[], integer[], integer),
    spona_report_protect(text[], text[], bigint[], boolean[], integer) TO spona_app;

-- --- releases: only what is shown is stored -------------------------------------------

ALTER TABLE report_release_rows ADD COLUMN shown text;
DO $$
DECLARE
    r record;
    cells integer[];
BEGIN
    FOR r IN SELECT release_id, array_agg(n ORDER BY n) AS ns,
                    array_agg(indicator ORDER BY n) AS indicators,
                    array_agg(breakdown ORDER BY n) AS breakdowns,
                    array_agg(base ORDER BY n) AS bases,
                    array_agg(spona_report_linked(indicator) ORDER BY n) AS linked
               FROM report_release_rows GROUP BY release_id LOOP
        cells := spona_report_protect(r.indicators, r.breakdowns, r.bases, r.linked, 5);
        UPDATE report_release_rows rr
           SET shown = spona_report_shown(rr.value, cells[array_position(r.ns, rr.n)])
         WHERE rr.release_id = r.release_id;
    END LOOP;
END
$$;
ALTER TABLE report_release_rows ALTER COLUMN shown SET NOT NULL;
ALTER TABLE report_release_rows DROP COLUMN value, DROP COLUMN base;
COMMENT ON COLUMN report_release_rows.shown IS
    'the figure as released: a count of 0 or 5 or more, <5, x, or a median (n/a over no one)';
-- spona_app reads releases (only what is shown) and makes them only through the function
REVOKE INSERT, UPDATE, DELETE ON report_releases, report_release_rows FROM spona_app;

-- A quarter's release for the caller (a signatory of the protocol in force), made now if
-- nobody has asked for it yet: one calendar quarter that has ended, its figures over the
-- whole municipality, suppressed, stored as shown. Rows in the report's order, each with
-- when the release was made and the protocol version in force then.
CREATE FUNCTION spona_report_release(p_from date, p_to date, p_groups text[])
    RETURNS TABLE (indicator text, breakdown text, value text, released_at text,
                   protocol_version integer)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS
$$
#variable_conflict use_column
DECLARE
    v_municipality uuid := spona_current_municipality();
    v_institution uuid := spona_current_institution();
    v_version integer := spona_report_protocol_version(v_municipality);
    v_release uuid;
    f record;
    cells integer[];
BEGIN
    IF v_municipality IS NULL OR v_institution IS NULL OR v_version IS NULL
       OR NOT EXISTS (SELECT 1 FROM protocol_signatories s JOIN protocols pr ON pr.id = s.protocol_id
                       WHERE pr.municipality_id = v_municipality AND pr.version = v_version
                         AND s.institution_id = v_institution) THEN
        RAISE EXCEPTION 'released figures are only for a signatory of the protocol in force'
            USING ERRCODE = '42501';
    END IF;
    IF p_from IS NULL OR p_to IS NULL OR p_from <> date_trunc('quarter', p_from)::date
       OR p_to <> (date_trunc('quarter', p_from) + interval '3 months - 1 day')::date
       OR p_to >= current_date THEN
        RAISE EXCEPTION 'a release is one calendar quarter that has ended' USING ERRCODE = '22023';
    END IF;
    INSERT INTO report_releases (municipality_id, period_from, period_to, protocol_version,
                                 released_for)
    VALUES (v_municipality, p_from, p_to, v_version, v_institution)
    ON CONFLICT (municipality_id, period_from, period_to) DO NOTHING RETURNING id INTO v_release;
    IF v_release IS NOT NULL THEN
        SELECT array_agg(t.indicator ORDER BY t.n) AS indicators,
               array_agg(t.breakdown ORDER BY t.n) AS breakdowns,
               array_agg(t.value ORDER BY t.n) AS vals,
               array_agg(t.base ORDER BY t.n) AS bases,
               array_agg(spona_report_linked(t.indicator) ORDER BY t.n) AS linked
          INTO f
          FROM spona_indicators_over(p_from, p_to, p_groups, v_municipality, NULL)
               WITH ORDINALITY AS t(indicator, breakdown, value, base, n);
        cells := spona_report_protect(f.indicators, f.breakdowns, f.bases, f.linked, 5);
        INSERT INTO report_release_rows (release_id, n, indicator, breakdown, shown)
        SELECT v_release, i, f.indicators[i], f.breakdowns[i],
               spona_report_shown(f.vals[i], cells[i])
          FROM generate_subscripts(f.indicators, 1) AS i;
    END IF;
    RETURN QUERY
    SELECT rr.indicator, rr.breakdown, rr.shown, to_char(r.released_at, 'YYYY-MM-DD HH24:MI'),
           r.protocol_version
      FROM report_releases r JOIN report_release_rows rr ON rr.release_id = r.id
     WHERE r.municipality_id = v_municipality AND r.period_from = p_from AND r.period_to = p_to
     ORDER BY rr.n;
END
$$;
REVOKE ALL ON FUNCTION spona_report_release(date, date, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_report_release(date, date, text[]) TO spona_app;
