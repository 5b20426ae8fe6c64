-- 056: a person's categories decided once per transaction (issue 12; docs/performance.md,
-- docs/access.md "What the database enforces"). A person read asked the same decision of
-- the database two or three times: persons_for_caller (spona_person_readable, sql/028),
-- then the household and benefits views (spona_decide_person('benefits_household'), once
-- per row). Now:
--   * spona_person_readable runs as the owner (SECURITY DEFINER), with row-level security
--     of cases and persons written out (as sql/033's spona_identity_readable does), so that
--     it decides exactly what it decided as spona_app, and it keeps its answer for the rest
--     of the transaction in a transaction-local setting, the memo (spona.person_memo);
--   * asked again about the same person in the same transaction, it answers from the memo
--     when the memo is its own: the memo carries a MAC, sha256(key || sha256(key || what
--     it says)), over the person, the categories, the caller's municipality, institution
--     and user, the backend, the transaction's start time and the count of changes to the
--     decision's facts (spona_decision_facts). The key is in a table only the owner reads.
--     spona_app can set the setting (any session can set a custom setting), but a memo it
--     writes or edits, one of another person, caller, backend or transaction, or one made
--     before a change to the facts, fails the MAC and is ignored: the function decides
--     afresh. A forged memo therefore widens nothing;
--   * every statement that writes a fact of the decision (cases, case_team, case_exclusions,
--     consents, persons, protocols, protocol_signatories, policy_decisions,
--     person_field_categories) bumps spona_decision_facts before and after it runs (a
--     statement trigger): a memo made before a change, in this transaction or any other,
--     is no longer valid. (Between another transaction's write and its commit there is a
--     window in which a memo made in that window stays valid after the commit, for the
--     rest of the reading transaction: the decision is then as of the transaction's first
--     decision of that person, as under REPEATABLE READ. The C filter decides once per
--     request, as before.)
--   * the household and benefits views ask spona_person_readable, so that a person read
--     decides once (the person view) and the two views answer from the memo.

CREATE TABLE spona_memo_key (key bytea NOT NULL);
REVOKE ALL ON spona_memo_key FROM PUBLIC;
INSERT INTO spona_memo_key (key)
SELECT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
    || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());

CREATE SEQUENCE spona_decision_facts;
REVOKE ALL ON SEQUENCE spona_decision_facts FROM PUBLIC;

CREATE FUNCTION spona_decision_facts_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$ BEGIN
    PERFORM nextval('spona_decision_facts');
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION spona_decision_facts_changed() FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cases', 'case_team', 'case_exclusions', 'consents', 'persons',
                             'protocols', 'protocol_signatories', 'policy_decisions',
                             'person_field_categories'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION spona_decision_facts_changed()',
                       t || '_facts_before', t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION spona_decision_facts_changed()',
                       t || '_facts_after', t);
    END LOOP;
END
$$;

-- The MAC of a memo saying that person p_person's readable categories are p_readable, in
-- (text) in this caller's, backend's and transaction's context and at the facts' present count.
CREATE FUNCTION spona_person_memo_mac(p_person uuid, p_readable text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    k bytea := (SELECT key FROM spona_memo_key LIMIT 1);
    facts bigint := (SELECT last_value FROM spona_decision_facts);
    said bytea := convert_to(format('%s|%s|%s|%s|%s|%s|%s|%s', p_person, p_readable,
                                    spona_current_municipality(), spona_current_institution(),
                                    spona_current_user(), pg_backend_pid(), now(), facts),
                             'UTF8');
BEGIN
    RETURN encode(sha256(k || sha256(k || said)), 'hex');
END $$;
REVOKE ALL ON FUNCTION spona_person_memo_mac(uuid, text) FROM PUBLIC;

-- sql/028's decision, unchanged in its rules, run as the owner: cases_read and persons_read
-- written out (an excluded person: nothing, as the policies hide her every case and her
-- row from the caller), the memo first.
CREATE OR REPLACE FUNCTION spona_person_readable(p_person uuid) RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    v_memo text[] := string_to_array(current_setting('spona.person_memo', true), '|');
    v_me uuid := spona_current_institution();
    v_role text := spona_caller_role();
    v_case uuid;
    v_lead uuid;
    v_is_lead boolean := true;
    v_on_team boolean := true;
    v_emergency boolean := false;
    v_withheld boolean := false;
    v_consented text[] := '{}';
    v_readable text[];
BEGIN
    -- (the categories are read only from a memo whose MAC holds: nothing else is parsed)
    IF array_length(v_memo, 1) = 3 AND v_memo[1] = p_person::text
       AND v_memo[3] = spona_person_memo_mac(p_person, v_memo[2]) THEN
        RETURN v_memo[2]::text[];
    END IF;
    IF v_role IS NULL OR v_role = 'coordinator' OR spona_person_excluded(p_person) THEN
        RETURN '{}';
    END IF;
    SELECT c.id, c.lead_institution_id INTO v_case, v_lead
      FROM cases c
     WHERE c.person_id = p_person AND c.municipality_id = spona_current_municipality()
       AND (c.lead_institution_id = v_me OR spona_case_visible(c.id))
     ORDER BY EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                         AND t.institution_id = v_me AND t.left_at IS NULL) DESC,
              c.closed_at IS NULL DESC, c.opened_at DESC
     LIMIT 1;
    IF v_case IS NULL THEN
        IF NOT EXISTS (SELECT 1 FROM persons p
                        WHERE p.id = p_person AND p.created_by_institution = v_me
                          AND p.municipality_id = spona_current_municipality()) THEN
            RETURN '{}';
        END IF;
    ELSE
        v_is_lead := v_lead = v_me;
        SELECT coalesce(bool_or(t.expires_at IS NULL OR t.expires_at > now()), false),
               coalesce(bool_or(t.via = 'emergency' AND t.expires_at > now()), false)
          INTO v_on_team, v_emergency
          FROM case_team t
         WHERE t.case_id = v_case AND t.institution_id = v_me AND t.left_at IS NULL;
        IF spona_case_excluded(v_case, v_me) THEN
            RETURN '{}';
        END IF;
        v_withheld := coalesce(spona_case_address_withheld(v_case, v_me), false);
        v_consented := spona_own_consents(p_person);
    END IF;
    v_readable := ARRAY(
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
    PERFORM set_config('spona.person_memo',
                       format('%s|%s|%s', p_person, v_readable,
                              spona_person_memo_mac(p_person, v_readable::text)), true);
    RETURN v_readable;
END
$$;
REVOKE ALL ON FUNCTION spona_person_readable(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_person_readable(uuid) TO spona_app;

-- The household and benefit views of sql/029, their decision from spona_person_readable.
CREATE OR REPLACE VIEW person_household_for_caller WITH (security_barrier = true) AS
    SELECT h.id, h.person_id, h.municipality_id,
           CASE WHEN d.allowed THEN h.name END AS name,
           CASE WHEN d.allowed THEN h.relation END AS relation,
           CASE WHEN d.allowed THEN h.birth_year END AS birth_year
      FROM person_household h
     CROSS JOIN LATERAL (SELECT 'benefits_household' = ANY (spona_person_readable(h.person_id))
                                AS allowed OFFSET 0) d
     WHERE h.municipality_id = spona_current_municipality()
       AND spona_person_visible(h.person_id);

CREATE OR REPLACE VIEW person_benefits_for_caller WITH (security_barrier = true) AS
    SELECT b.id, b.person_id, b.municipality_id, b.created_at,
           CASE WHEN d.allowed THEN b.kind END AS kind,
           CASE WHEN d.allowed THEN b.since END AS since,
           CASE WHEN d.allowed THEN b.until END AS until,
           CASE WHEN d.allowed THEN b.amount END AS amount,
           CASE WHEN d.allowed THEN b.note END AS note
      FROM person_benefits b
     CROSS JOIN LATERAL (SELECT 'benefits_household' = ANY (spona_person_readable(b.person_id))
                                AS allowed OFFSET 0) d
     WHERE b.municipality_id = spona_current_municipality()
       AND spona_person_visible(b.person_id);
