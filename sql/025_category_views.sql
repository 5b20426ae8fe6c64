-- 025: the server's role reads personal data only through category-aware views
-- (docs/access.md, "Columns by category"). Until now spona_app could select every column
-- of persons and of the written case records for any row row-level security let it see;
-- only persons_for_caller (022) decided columns by category. Now:
--   * spona_app keeps SELECT only on the columns of persons and of case_notes,
--     case_conferences, outcomes and outcome_follow_ups that are no one's personal data
--     (ids, municipality, version, timestamps, who wrote a record): a direct SELECT of
--     first_name, jmbg, address, health_notes, a note's text... is refused (permission
--     denied). Name keys are derived from the names (identity) and are not granted either;
--   * persons_for_caller, persons_identified (search) and <table>_for_caller (the case
--     records) read the table with the owner's rights and decide both the rows (the same
--     condition as the table's row-level security read policy, written out, since the
--     owner is not subject to it; integration.rls_leaks compares the rows) and the
--     columns (NULL unless the stored decision table, spona_decide / spona_decide_person,
--     lets the caller read the column's category; a case record's text also to the
--     institution that wrote it, as docs/cases.md has it: it keeps read access to the
--     records it wrote). They are security_barrier views: a
--     caller's own conditions (other than leakproof ones, such as the name key ranges
--     search uses on the index) run only on the rows the view admits;
--   * the decisions no longer read the safety flag: the only fact they need of it is
--     whether the address is withheld from an institution (the flag, when that
--     institution does not lead the case), which spona_case_address_withheld() answers
--     only about a case the caller may see, and about another institution only to the
--     case's lead (explain). The server's access subject (server/policy/access.c) reads
--     the same function.
-- The decision still comes from the stored decision table (022), so the C filter and the
-- database stay two implementations of one decision.

-- ---------------------------------------------------------------------------------
-- The safety flag as a decided fact
-- ---------------------------------------------------------------------------------

-- Whether contact and address data of the person of case p_case are withheld from
-- institution p_institution: the person is at risk and p_institution does not lead the
-- case. Answers only about a case the caller may see (it leads it, or is on its team,
-- and is excluded from no case of the person), and about an institution other than the
-- caller only to the case's lead; NULL otherwise.
-- (PL/pgSQL, as sql/026 makes the other helpers: its plan is kept per connection)
CREATE FUNCTION spona_case_address_withheld(p_case uuid, p_institution uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$ BEGIN
    RETURN (SELECT p.safety_flag AND c.lead_institution_id IS DISTINCT FROM p_institution
              FROM cases c JOIN persons p ON p.id = c.person_id
             WHERE c.id = p_case AND c.municipality_id = spona_current_municipality()
               AND (c.lead_institution_id = spona_current_institution()
                    OR spona_case_visible(c.id))
               AND (p_institution = spona_current_institution()
                    OR c.lead_institution_id = spona_current_institution())
               AND NOT spona_person_excluded(c.person_id));
END $$;

REVOKE ALL ON FUNCTION spona_case_address_withheld(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_case_address_withheld(uuid, uuid) TO spona_app;

-- The decisions of 022, the same rules, as PL/pgSQL: the views below ask them per row,
-- and a LANGUAGE sql function whose body holds a subquery is never inlined, so each call
-- started its statements afresh (about 3 ms for spona_decide_person); PL/pgSQL keeps
-- their plans for the session (about 0.1 ms). Two changes of substance: the address rule
-- is asked of spona_case_address_withheld instead of the person's safety flag (the same
-- answer: the rule applies only to a caller that does not lead the case, and then the
-- flag is the answer), and a person without a case is decided for the caller as the lead
-- of the intake, to whom the address rule does not apply (no flag needed).
CREATE OR REPLACE FUNCTION spona_version_in_force() RETURNS integer
    LANGUAGE plpgsql STABLE AS
$$ BEGIN
    RETURN (SELECT version FROM protocols
             WHERE municipality_id = spona_current_municipality()
               AND effective_date <= current_date AND activated_at IS NOT NULL
             ORDER BY version DESC LIMIT 1);
END $$;

CREATE OR REPLACE FUNCTION spona_caller_role() RETURNS text
    LANGUAGE plpgsql STABLE AS
$$ BEGIN
    RETURN (SELECT s.role FROM protocol_signatories s JOIN protocols pr ON pr.id = s.protocol_id
             WHERE s.institution_id = spona_current_institution()
               AND pr.municipality_id = spona_current_municipality()
               AND pr.version = spona_version_in_force());
END $$;

CREATE OR REPLACE FUNCTION spona_decide_subject(p_category text, p_action text, p_role text,
                                                p_is_lead boolean, p_on_team boolean,
                                                p_emergency boolean, p_consented boolean,
                                                p_excluded boolean, p_safety_flag boolean)
    RETURNS integer LANGUAGE plpgsql STABLE AS
$$ BEGIN
    IF p_role IS NULL OR p_excluded THEN
        RETURN NULL;
    ELSIF p_role = 'coordinator' AND p_category <> 'aggregates' THEN
        RETURN NULL;
    ELSIF p_emergency AND p_action = 'write' AND NOT p_is_lead THEN
        RETURN NULL;
    ELSIF p_category = 'contact_address' AND p_safety_flag AND NOT p_is_lead THEN
        RETURN NULL;  -- the address of a person at risk: the lead only (break-glass included)
    ELSIF p_emergency AND p_action = 'read' AND p_category <> 'aggregates' THEN
        RETURN 0;
    END IF;
    RETURN (SELECT min(d.clause) FROM policy_decisions d
             WHERE d.municipality_id = spona_current_municipality()
               AND d.version = spona_version_in_force()
               AND d.role = p_role AND d.category = p_category AND d.action = p_action
               AND (p_category = 'aggregates'
                    OR ((NOT d.needs_team OR p_on_team OR p_is_lead)
                        AND (NOT d.needs_consent OR p_consented))));
END $$;

CREATE OR REPLACE FUNCTION spona_decide_clause(p_category text, p_action text, p_case uuid)
    RETURNS integer LANGUAGE plpgsql STABLE AS
$$ BEGIN
    RETURN (SELECT spona_decide_subject(
        p_category, p_action, spona_caller_role(),
        c.lead_institution_id = spona_current_institution(),
        EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                   AND t.institution_id = spona_current_institution() AND t.left_at IS NULL
                   AND (t.expires_at IS NULL OR t.expires_at > now())),
        EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                   AND t.institution_id = spona_current_institution() AND t.left_at IS NULL
                   AND t.via = 'emergency' AND t.expires_at > now()),
        EXISTS (SELECT 1 FROM consents k
                 WHERE k.person_id = c.person_id
                   AND k.institution_id = spona_current_institution()
                   AND k.category = p_category AND k.withdrawn_at IS NULL
                   AND k.given_on <= current_date
                   AND (k.expires_on IS NULL OR k.expires_on >= current_date)),
        spona_case_excluded(c.id, spona_current_institution())
            OR spona_person_excluded(c.person_id),
        coalesce(spona_case_address_withheld(c.id, spona_current_institution()), false))
      FROM cases c JOIN persons p ON p.id = c.person_id
     WHERE c.id = p_case);
END $$;

CREATE OR REPLACE FUNCTION spona_decide_person(p_category text, p_action text, p_person uuid)
    RETURNS boolean LANGUAGE plpgsql STABLE AS
$$
DECLARE
    picked uuid;
BEGIN
    SELECT c.id INTO picked FROM cases c WHERE c.person_id = p_person
     ORDER BY EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                         AND t.institution_id = spona_current_institution()
                         AND t.left_at IS NULL) DESC,
              c.closed_at IS NULL DESC, c.opened_at DESC
     LIMIT 1;
    IF picked IS NOT NULL THEN
        RETURN spona_decide_clause(p_category, p_action, picked) IS NOT NULL;
    END IF;
    RETURN (SELECT spona_decide_subject(p_category, p_action, spona_caller_role(), true, true,
                                        false, false, false, false)
              FROM persons p
             WHERE p.id = p_person AND p.created_by_institution = spona_current_institution())
           IS NOT NULL;
END
$$;

-- ---------------------------------------------------------------------------------
-- persons
-- ---------------------------------------------------------------------------------

REVOKE SELECT ON persons FROM spona_app;
GRANT SELECT (id, municipality_id, version, created_by_institution, created_at, updated_at)
    ON persons TO spona_app;

-- persons as the caller may read them (022's view, now the server's only way to a
-- person's fields): each personal column NULL unless spona_decide_person lets the caller
-- read its category; the column list comes from person_field_categories. Its rows: the
-- condition of persons_read (sql/017), written out.
DROP VIEW persons_for_caller;
DO $$
DECLARE
    columns text;
    categories text;
BEGIN
    SELECT string_agg(format('CASE WHEN d.%I THEN p.%I END AS %I', f.category,
                             f.column_name, f.column_name), ', ' ORDER BY f.column_name)
      INTO columns FROM person_field_categories f;
    SELECT string_agg(format('spona_decide_person(%L, ''read'', p.id) AS %I', c.category,
                             c.category), ', ')
      INTO categories FROM (SELECT DISTINCT category FROM person_field_categories) c;
    EXECUTE format('CREATE VIEW persons_for_caller WITH (security_barrier = true) AS'
                   ' SELECT p.id, p.municipality_id, p.version, p.created_by_institution,'
                   '        p.created_at, p.updated_at, %s'
                   '   FROM persons p CROSS JOIN LATERAL (SELECT %s) d'
                   '  WHERE p.municipality_id = spona_current_municipality()'
                   '    AND (p.created_by_institution = spona_current_institution()'
                   '         OR spona_person_on_team(p.id, false))'
                   '    AND (NOT (SELECT spona_caller_excluded()) OR NOT spona_person_excluded(p.id))',
                   columns, categories);
END
$$;
GRANT SELECT ON persons_for_caller TO spona_app;

-- The persons whose identity the caller may read, with their identity and the search
-- keys derived from it (search: server/handlers/handlers_search.c). The key ranges a
-- search asks for are leakproof, so the btree indexes serve them through the barrier;
-- every other person is absent, as if no name matched her.
CREATE VIEW persons_identified WITH (security_barrier = true) AS
    SELECT p.id, p.municipality_id, p.first_name, p.last_name, p.jmbg, p.birth_date, p.sex,
           p.name_key, p.name_key_first, p.name_key_cut
      FROM persons p
     WHERE p.municipality_id = spona_current_municipality()
       AND (p.created_by_institution = spona_current_institution()
            OR spona_person_on_team(p.id, false))
       AND (NOT (SELECT spona_caller_excluded()) OR NOT spona_person_excluded(p.id))
       AND spona_decide_person('identity', 'read', p.id);
GRANT SELECT ON persons_identified TO spona_app;

-- Name search's index ranges (server/handlers/handlers_search.c): the ids of the persons
-- the caller may see (persons_read, written out: this runs as the owner, so that the
-- btree indexes of the name keys, which spona_app may not read, serve the range in key
-- order up to p_limit) whose key p_key is in [p_low, p_high), and whose "first last" key
-- is LIKE p_pattern when given, in key order. Ids only: the server joins them to
-- persons_identified, which decides whether the caller may read each one's identity (a
-- security_barrier view is planned on its own, so its rows cannot come in index order
-- under a LIMIT: asked directly, it would decide every person of the range).
-- p_key: 'last_first' (name_key), 'first_last' (name_key_first), 'cut' (name_key_cut).
CREATE FUNCTION spona_person_key_candidates(p_key text, p_low text, p_high text,
                                            p_pattern text, p_limit integer)
    RETURNS TABLE (person_id uuid, rank bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    m uuid := spona_current_municipality();
    i uuid := spona_current_institution();
    excluded boolean := spona_caller_excluded();
    n integer := least(greatest(p_limit, 0), 2000);
BEGIN
    IF p_key = 'last_first' THEN
        RETURN QUERY SELECT p.id, row_number() OVER (ORDER BY p.name_key USING ~<~)
          FROM (SELECT p.id, p.name_key FROM persons p
                 WHERE p.municipality_id = m AND p.name_key ~>=~ p_low AND p.name_key ~<~ p_high
                   AND (p_pattern IS NULL OR p.name_key_first LIKE p_pattern)
                   AND (p.created_by_institution = i OR spona_person_on_team(p.id, false))
                   AND (NOT excluded OR NOT spona_person_excluded(p.id))
                 ORDER BY p.name_key USING ~<~ LIMIT n) p;
    ELSIF p_key = 'first_last' THEN
        RETURN QUERY SELECT p.id, row_number() OVER (ORDER BY p.name_key_first USING ~<~)
          FROM (SELECT p.id, p.name_key_first FROM persons p
                 WHERE p.municipality_id = m AND p.name_key_first ~>=~ p_low
                   AND p.name_key_first ~<~ p_high
                   AND (p_pattern IS NULL OR p.name_key_first LIKE p_pattern)
                   AND (p.created_by_institution = i OR spona_person_on_team(p.id, false))
                   AND (NOT excluded OR NOT spona_person_excluded(p.id))
                 ORDER BY p.name_key_first USING ~<~ LIMIT n) p;
    ELSIF p_key = 'cut' THEN
        RETURN QUERY SELECT p.id, row_number() OVER (ORDER BY p.name_key_cut USING ~<~)
          FROM (SELECT p.id, p.name_key_cut FROM persons p
                 WHERE p.municipality_id = m AND p.name_key_cut ~>=~ p_low
                   AND p.name_key_cut ~<~ p_high
                   AND (p_pattern IS NULL OR p.name_key_first LIKE p_pattern)
                   AND (p.created_by_institution = i OR spona_person_on_team(p.id, false))
                   AND (NOT excluded OR NOT spona_person_excluded(p.id))
                 ORDER BY p.name_key_cut USING ~<~ LIMIT n) p;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION spona_person_key_candidates(text, text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_person_key_candidates(text, text, text, text, integer)
    TO spona_app;

-- ---------------------------------------------------------------------------------
-- The written records of a case: text by category
-- ---------------------------------------------------------------------------------

REVOKE SELECT ON case_notes, case_conferences, outcomes, outcome_follow_ups FROM spona_app;
GRANT SELECT (id, case_id, municipality_id, author, institution_id, created_at)
    ON case_notes TO spona_app;
GRANT SELECT (id, case_id, municipality_id, created_by, created_at, version)
    ON case_conferences TO spona_app;
GRANT SELECT (id, case_id, person_id, municipality_id, recorded_by, institution_id, version,
              created_at) ON outcomes TO spona_app;
GRANT SELECT (outcome_id, person_id, municipality_id, months, recorded_by, recorded_at)
    ON outcome_follow_ups TO spona_app;

-- Each record view decides once a row, in a lateral subquery fenced with OFFSET 0 (pulled
-- up, the decision would be copied into every column that reads it; sql/028).

-- Notes (case_notes): the rows of case_notes_team (006/017), the text only with a read
-- decision on case_notes for the case, or to the institution that wrote it.
CREATE VIEW case_notes_for_caller WITH (security_barrier = true) AS
    SELECT n.id, n.case_id, n.municipality_id, n.author, n.institution_id, n.created_at,
           CASE WHEN d.allowed THEN n.text END AS text
      FROM case_notes n
     CROSS JOIN LATERAL (SELECT n.institution_id = spona_current_institution()
                                OR spona_decide('case_notes', 'read', n.case_id) AS allowed OFFSET 0) d
     WHERE n.municipality_id = spona_current_municipality()
       AND spona_case_record_visible(n.case_id, n.institution_id);

-- Conferences (case_notes): date, participants, decisions and next steps.
CREATE VIEW case_conferences_for_caller WITH (security_barrier = true) AS
    SELECT f.id, f.case_id, f.municipality_id, f.created_by, f.created_at, f.version,
           CASE WHEN d.allowed THEN f.held_on END AS held_on,
           CASE WHEN d.allowed THEN f.institution_codes END AS institution_codes,
           CASE WHEN d.allowed THEN f.usernames END AS usernames,
           CASE WHEN d.allowed THEN f.decisions END AS decisions,
           CASE WHEN d.allowed THEN f.next_steps END AS next_steps
      FROM case_conferences f
     CROSS JOIN LATERAL (SELECT spona_decide('case_notes', 'read', f.case_id) AS allowed OFFSET 0) d
     WHERE f.municipality_id = spona_current_municipality() AND spona_case_visible(f.case_id);

-- Outcomes (outcomes): what happened, when, where; to a reader of outcomes, and to the
-- institution that recorded it (a school may record a completed training without
-- reading outcomes: it is answered with what it recorded).
CREATE VIEW outcomes_for_caller WITH (security_barrier = true) AS
    SELECT o.id, o.case_id, o.person_id, o.municipality_id, o.recorded_by, o.institution_id,
           o.version, o.created_at,
           CASE WHEN d.allowed THEN o.kind END AS kind,
           CASE WHEN d.allowed THEN o.occurred_on END AS occurred_on,
           CASE WHEN d.allowed THEN o.employer END AS employer,
           CASE WHEN d.allowed THEN o.contract_type END AS contract_type,
           CASE WHEN d.allowed THEN o.pathway END AS pathway,
           CASE WHEN d.allowed THEN o.certificate END AS certificate,
           CASE WHEN d.allowed THEN o.note END AS note
      FROM outcomes o
     CROSS JOIN LATERAL (SELECT o.institution_id = spona_current_institution()
                                OR spona_decide('outcomes', 'read', o.case_id) AS allowed OFFSET 0) d
     WHERE o.municipality_id = spona_current_municipality()
       AND spona_case_record_visible(o.case_id, o.institution_id);

-- Follow-ups (outcomes) of an outcome; decided on the outcome's case, and shown to the
-- institution whose user recorded the follow-up.
CREATE VIEW outcome_follow_ups_for_caller WITH (security_barrier = true) AS
    SELECT f.outcome_id, f.person_id, f.municipality_id, f.months, f.recorded_by,
           f.recorded_at, o.case_id,
           CASE WHEN d.allowed THEN f.checked_on END AS checked_on,
           CASE WHEN d.allowed THEN f.still_employed END AS still_employed,
           CASE WHEN d.allowed THEN f.note END AS note
      FROM outcome_follow_ups f JOIN outcomes o ON o.id = f.outcome_id
     CROSS JOIN LATERAL (SELECT (SELECT u.institution_id FROM users u WHERE u.id = f.recorded_by)
                                    = spona_current_institution()
                                OR spona_decide('outcomes', 'read', o.case_id) AS allowed OFFSET 0) d
     WHERE f.municipality_id = spona_current_municipality()
       AND spona_outcome_visible(f.outcome_id);

GRANT SELECT ON case_notes_for_caller, case_conferences_for_caller, outcomes_for_caller,
    outcome_follow_ups_for_caller TO spona_app;
