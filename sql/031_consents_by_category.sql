-- 031: consent records by category (docs/access.md, "Columns by category"): the last
-- table spona_app could read in full for a person it may see. A consent names a category
-- and an institution, so a consent to share health data with a disability NGO tells that
-- there is some; the API lists only consents of categories the caller may read
-- (consent_list, the timeline). Now row-level security says the same: the caller's own
-- consents (which its access depends on), all of them to the lead of the person's case
-- (which records and withdraws them, whatever categories it may read), and to anyone else
-- those whose category it may read (spona_person_readable). To keep that policy from asking itself, the decision
-- reads the caller's own consents through spona_own_consents, which answers only about
-- the caller.

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

-- sql/028's decision, its own consents asked of spona_own_consents (it never reads the
-- consents table, so the policy below may ask it), over every person-level category: the
-- person's columns' and the records' (plan_measures, case_notes, outcomes) that the
-- protocol names, since a consent may be for any of them.
CREATE OR REPLACE FUNCTION spona_person_readable(p_person uuid) RETURNS text[]
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

DROP POLICY consents_read ON consents;
CREATE POLICY consents_read ON consents FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND NOT spona_person_excluded(person_id)
           AND (institution_id = spona_current_institution()
                OR spona_person_led(person_id)
                OR (spona_person_visible(person_id)
                    AND category = ANY (spona_person_readable(person_id)))));
