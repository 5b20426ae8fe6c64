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
CREATE FUNCTION spona_case_address_withheld(p_case uuid, p_institution uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT p.safety_flag AND c.lead_institution_id IS DISTINCT FROM p_institution
     FROM cases c JOIN persons p ON p.id = c.person_id
    WHERE c.id = p_case AND c.municipality_id = spona_current_municipality()
      AND (c.lead_institution_id = spona_current_institution() OR spona_case_visible(c.id))
      AND (p_institution = spona_current_institution()
           OR c.lead_institution_id = spona_current_institution())
      AND NOT spona_person_excluded(c.person_id) $$;

REVOKE ALL ON FUNCTION spona_case_address_withheld(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_case_address_withheld(uuid, uuid) TO spona_app;

-- 022's decision on a case, the address rule asked of spona_case_address_withheld
-- instead of the person's safety flag (the same answer: the rule applies only to a
-- caller that does not lead the case, and then the flag is the answer).
CREATE OR REPLACE FUNCTION spona_decide_clause(p_category text, p_action text, p_case uuid)
    RETURNS integer LANGUAGE sql STABLE AS
$$ SELECT spona_decide_subject(
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
    WHERE c.id = p_case $$;

-- 022's decision on a person; for a person without a case the caller decides as the
-- lead of the intake, to whom the address rule does not apply (no flag needed).
CREATE OR REPLACE FUNCTION spona_decide_person(p_category text, p_action text, p_person uuid)
    RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT CASE
    WHEN pick.case_id IS NOT NULL THEN spona_decide_clause(p_category, p_action, pick.case_id)
    ELSE (SELECT spona_decide_subject(p_category, p_action, spona_caller_role(), true, true,
                                      false, false, false, false)
            FROM persons p
           WHERE p.id = p_person AND p.created_by_institution = spona_current_institution())
   END IS NOT NULL
     FROM (SELECT (SELECT c.id FROM cases c WHERE c.person_id = p_person
                    ORDER BY EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                                        AND t.institution_id = spona_current_institution()
                                        AND t.left_at IS NULL) DESC,
                             c.closed_at IS NULL DESC, c.opened_at DESC LIMIT 1) AS case_id)
          AS pick $$;

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

-- Notes (case_notes): the rows of case_notes_team (006/017), the text only with a read
-- decision on case_notes for the case, or to the institution that wrote it.
CREATE VIEW case_notes_for_caller WITH (security_barrier = true) AS
    SELECT n.id, n.case_id, n.municipality_id, n.author, n.institution_id, n.created_at,
           CASE WHEN d.allowed THEN n.text END AS text
      FROM case_notes n
     CROSS JOIN LATERAL (SELECT n.institution_id = spona_current_institution()
                                OR spona_decide('case_notes', 'read', n.case_id) AS allowed) d
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
     CROSS JOIN LATERAL (SELECT spona_decide('case_notes', 'read', f.case_id) AS allowed) d
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
                                OR spona_decide('outcomes', 'read', o.case_id) AS allowed) d
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
                                OR spona_decide('outcomes', 'read', o.case_id) AS allowed) d
     WHERE f.municipality_id = spona_current_municipality()
       AND spona_outcome_visible(f.outcome_id);

GRANT SELECT ON case_notes_for_caller, case_conferences_for_caller, outcomes_for_caller,
    outcome_follow_ups_for_caller TO spona_app;
