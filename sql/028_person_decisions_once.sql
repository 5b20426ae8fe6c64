-- 028: persons_for_caller decides a person's categories once per row, not once per
-- category (docs/performance.md, issue 12). sql/025's view asked spona_decide_person for
-- each of the seven categories of a person's columns, and each call gathered the same
-- facts again (the case to decide on, the caller's role, team, break-glass, consents,
-- exclusions, the withheld address): about forty statements per person read.
-- spona_person_readable gathers them once and answers with the categories the caller
-- may read, by the same rules as spona_decide_subject (022/025), in the same order:
-- no role, an exclusion or the coordinator: nothing; the address of a person at risk only
-- to the lead; break-glass reads every category; otherwise a clause of the version in
-- force for the caller's role, its team and consent conditions met. A person without a
-- case is decided for the institution that registered her as the intake's lead.
-- integration.decision_table compares the view with the C filter for every situation.

-- The categories the person has consented to share with the caller's institution, in
-- force today. Only about the caller itself.
CREATE FUNCTION spona_own_consents(p_person uuid) RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$ BEGIN
    RETURN ARRAY(SELECT DISTINCT k.category FROM consents k
                  WHERE k.person_id = p_person
                    AND k.municipality_id = spona_current_municipality()
                    AND k.institution_id = spona_current_institution()
                    AND k.withdrawn_at IS NULL AND k.given_on <= current_date
                    AND (k.expires_on IS NULL OR k.expires_on >= current_date));
END $$;
REVOKE ALL ON FUNCTION spona_own_consents(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_own_consents(uuid) TO spona_app;

-- The decision over every person-level category: the person's columns' and the records'
-- (plan_measures, case_notes, outcomes) that the protocol names, since a consent may be
-- for any of them. Its own consents come from spona_own_consents: it never reads the
-- consents table, so consents' row-level security (sql/031) may ask it.
CREATE FUNCTION spona_person_readable(p_person uuid) RETURNS text[]
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    v_me uuid := spona_current_institution();
    v_role text := spona_caller_role();
    v_case uuid;
    v_lead uuid;
    v_is_lead boolean := true;
    v_on_team boolean := true;
    v_emergency boolean := false;
    v_excluded boolean := false;
    v_withheld boolean := false;
    v_consented text[] := '{}';
BEGIN
    IF v_role IS NULL OR v_role = 'coordinator' THEN
        RETURN '{}';
    END IF;
    SELECT c.id, c.lead_institution_id INTO v_case, v_lead
      FROM cases c WHERE c.person_id = p_person
     ORDER BY EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                         AND t.institution_id = v_me AND t.left_at IS NULL) DESC,
              c.closed_at IS NULL DESC, c.opened_at DESC
     LIMIT 1;
    IF v_case IS NULL THEN
        IF NOT EXISTS (SELECT 1 FROM persons p
                        WHERE p.id = p_person AND p.created_by_institution = v_me) THEN
            RETURN '{}';
        END IF;
    ELSE
        v_is_lead := v_lead = v_me;
        SELECT coalesce(bool_or(t.expires_at IS NULL OR t.expires_at > now()), false),
               coalesce(bool_or(t.via = 'emergency' AND t.expires_at > now()), false)
          INTO v_on_team, v_emergency
          FROM case_team t
         WHERE t.case_id = v_case AND t.institution_id = v_me AND t.left_at IS NULL;
        v_excluded := spona_case_excluded(v_case, v_me) OR spona_person_excluded(p_person);
        IF v_excluded THEN
            RETURN '{}';
        END IF;
        v_withheld := coalesce(spona_case_address_withheld(v_case, v_me), false);
        v_consented := spona_own_consents(p_person);
    END IF;
    RETURN ARRAY(
        SELECT f.category
          FROM (SELECT category FROM person_field_categories
                UNION  -- the person-level categories of records (plan_measures, ...)
                SELECT d.category FROM policy_decisions d
                 WHERE d.municipality_id = spona_current_municipality()
                   AND d.version = spona_version_in_force() AND d.category <> 'aggregates') f
         WHERE NOT (f.category = 'contact_address' AND v_withheld AND NOT v_is_lead)
           AND (v_emergency
                OR EXISTS (SELECT 1 FROM policy_decisions d
                            WHERE d.municipality_id = spona_current_municipality()
                              AND d.version = spona_version_in_force()
                              AND d.role = v_role AND d.category = f.category
                              AND d.action = 'read'
                              AND (NOT d.needs_team OR v_on_team OR v_is_lead)
                              AND (NOT d.needs_consent OR f.category = ANY (v_consented))))
         ORDER BY f.category);
END
$$;
GRANT EXECUTE ON FUNCTION spona_person_readable(uuid) TO spona_app;

-- persons_for_caller as in 025 (rows: persons_read written out), its columns from one
-- decision per row. OFFSET 0 keeps the lateral subquery a subquery: pulled up, its call
-- would be copied into each of the 21 columns that read it (25's view called its seven
-- decisions three times each, 21 calls a row).
DROP VIEW persons_for_caller;
DO $$
DECLARE
    columns text;
BEGIN
    SELECT string_agg(format('CASE WHEN %L = ANY (d.readable) THEN p.%I END AS %I',
                             f.category, f.column_name, f.column_name),
                      ', ' ORDER BY f.column_name)
      INTO columns FROM person_field_categories f;
    EXECUTE format('CREATE VIEW persons_for_caller WITH (security_barrier = true) AS'
                   ' SELECT p.id, p.municipality_id, p.version, p.created_by_institution,'
                   '        p.created_at, p.updated_at, %s'
                   '   FROM persons p'
                   '   CROSS JOIN LATERAL (SELECT spona_person_readable(p.id) AS readable'
                   '                         OFFSET 0) d'
                   '  WHERE p.municipality_id = spona_current_municipality()'
                   '    AND (p.created_by_institution = spona_current_institution()'
                   '         OR spona_person_on_team(p.id, false))'
                   '    AND (NOT (SELECT spona_caller_excluded()) OR NOT spona_person_excluded(p.id))',
                   columns);
END
$$;
GRANT SELECT ON persons_for_caller TO spona_app;
