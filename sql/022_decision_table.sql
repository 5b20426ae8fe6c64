-- 022: the policy in force as a decision table, so that the database refuses per
-- category what the protocol refuses, on its own (docs/access.md, "The decision table").
--
-- policy_decisions holds one row per clause × role × category × action of every stored
-- protocol version, derived from the parsed document by the server when it stores the
-- version (server/policy/decision_table.c; the import request and `spona-server
-- import-protocol`); `spona-server decision-table` derives the rows of versions stored
-- before this migration. spona_decide answers like access_decide/policy_decide in C:
-- the invariants (not a signatory, excluded, coordinator, the address of a person at
-- risk only for the lead, break-glass reads and writes nothing), then the
-- lowest-numbered clause whose team and consent conditions hold. persons_for_caller
-- shows each column of persons only when its category may be read.

CREATE TABLE policy_decisions (
    protocol_id     uuid NOT NULL REFERENCES protocols(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    version         integer NOT NULL,
    role            text NOT NULL,
    category        text NOT NULL,
    action          text NOT NULL CHECK (action IN ('read', 'write')),
    clause          integer NOT NULL,
    needs_team      boolean NOT NULL,
    needs_consent   boolean NOT NULL,
    PRIMARY KEY (municipality_id, version, role, category, action, clause)
);

GRANT SELECT, INSERT ON policy_decisions TO spona_app;

-- The category of every personal column of persons: server/policy/fields.c, row for row
-- (integration.decision_table compares the two). address: withheld from all but the
-- lead when the person is at risk.
CREATE TABLE person_field_categories (
    column_name text PRIMARY KEY,
    category    text NOT NULL,
    address     boolean NOT NULL DEFAULT false
);
INSERT INTO person_field_categories (column_name, category, address) VALUES
    ('first_name', 'identity', false), ('last_name', 'identity', false),
    ('jmbg', 'identity', false), ('birth_date', 'identity', false), ('sex', 'identity', false),
    ('address', 'contact_address', true), ('phone', 'contact_address', true),
    ('email', 'contact_address', true),
    ('benefit_status', 'benefits_household', false),
    ('household_size', 'benefits_household', false), ('rural', 'benefits_household', false),
    ('education_level', 'education_work', false), ('work_history', 'education_work', false),
    ('skills', 'education_work', false),
    ('disability_status', 'health_disability', false),
    ('work_capability', 'health_disability', false),
    ('work_capable', 'health_disability', false), ('health_notes', 'health_disability', false),
    ('safety_flag', 'safety', false), ('safety_notes', 'safety', false),
    ('priority_groups', 'safety', false);
GRANT SELECT ON person_field_categories TO spona_app;

-- The protocol version in force in the caller's municipality (as access_policy finds it).
CREATE FUNCTION spona_version_in_force() RETURNS integer
    LANGUAGE sql STABLE AS
$$ SELECT version FROM protocols
    WHERE municipality_id = spona_current_municipality() AND effective_date <= current_date
      AND activated_at IS NOT NULL
    ORDER BY version DESC LIMIT 1 $$;

-- The caller's institution's role in the version in force; NULL: not a signatory.
CREATE FUNCTION spona_caller_role() RETURNS text
    LANGUAGE sql STABLE AS
$$ SELECT s.role FROM protocol_signatories s JOIN protocols pr ON pr.id = s.protocol_id
    WHERE s.institution_id = spona_current_institution()
      AND pr.municipality_id = spona_current_municipality()
      AND pr.version = spona_version_in_force() $$;

-- The decision for a subject given as facts: the clause that allows it (0: break-glass
-- access), NULL when refused. access_decide + policy_decide of server/policy, in SQL.
CREATE FUNCTION spona_decide_subject(p_category text, p_action text, p_role text,
                                     p_is_lead boolean, p_on_team boolean,
                                     p_emergency boolean, p_consented boolean,
                                     p_excluded boolean, p_safety_flag boolean)
    RETURNS integer LANGUAGE sql STABLE AS
$$ SELECT CASE
    WHEN p_role IS NULL OR p_excluded THEN NULL
    WHEN p_role = 'coordinator' AND p_category <> 'aggregates' THEN NULL
    WHEN p_emergency AND p_action = 'write' AND NOT p_is_lead THEN NULL
    WHEN p_category = 'contact_address' AND p_safety_flag AND NOT p_is_lead THEN
        NULL  -- the address of a person at risk: the lead only (break-glass included)
    WHEN p_emergency AND p_action = 'read' AND p_category <> 'aggregates' THEN 0
    ELSE (SELECT min(d.clause) FROM policy_decisions d
           WHERE d.municipality_id = spona_current_municipality()
             AND d.version = spona_version_in_force()
             AND d.role = p_role AND d.category = p_category AND d.action = p_action
             AND (p_category = 'aggregates'
                  OR ((NOT d.needs_team OR p_on_team OR p_is_lead)
                      AND (NOT d.needs_consent OR p_consented))))
   END $$;

-- The caller's decision on case p_case (NULL also when the caller may not see the case:
-- this runs with the caller's rights, under row-level security).
CREATE FUNCTION spona_decide_clause(p_category text, p_action text, p_case uuid)
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
        p.safety_flag)
     FROM cases c JOIN persons p ON p.id = c.person_id
    WHERE c.id = p_case $$;

CREATE FUNCTION spona_decide(p_category text, p_action text, p_case uuid)
    RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT spona_decide_clause(p_category, p_action, p_case) IS NOT NULL $$;

-- The caller's decision on person p_person: on the case access_person_subject uses
-- (one the caller is on the team of, else an open one, else the newest), or, for a
-- person without a case, as the lead of the intake when the caller registered her.
CREATE FUNCTION spona_decide_person(p_category text, p_action text, p_person uuid)
    RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT CASE
    WHEN pick.case_id IS NOT NULL THEN spona_decide_clause(p_category, p_action, pick.case_id)
    ELSE (SELECT spona_decide_subject(p_category, p_action, spona_caller_role(), true, true,
                                      false, false, false, p.safety_flag)
            FROM persons p
           WHERE p.id = p_person AND p.created_by_institution = spona_current_institution())
   END IS NOT NULL
     FROM (SELECT (SELECT c.id FROM cases c WHERE c.person_id = p_person
                    ORDER BY EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                                        AND t.institution_id = spona_current_institution()
                                        AND t.left_at IS NULL) DESC,
                             c.closed_at IS NULL DESC, c.opened_at DESC LIMIT 1) AS case_id)
          AS pick $$;

GRANT EXECUTE ON FUNCTION spona_version_in_force(), spona_caller_role(),
    spona_decide_subject(text, text, text, boolean, boolean, boolean, boolean, boolean,
                         boolean),
    spona_decide_clause(text, text, uuid), spona_decide(text, text, uuid),
    spona_decide_person(text, text, uuid) TO spona_app;

-- persons as the caller may read them: the rows row-level security admits (the view
-- runs with the caller's rights), each personal column NULL unless spona_decide_person
-- lets the caller read its category. The column list comes from person_field_categories.
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
    EXECUTE format('CREATE VIEW persons_for_caller WITH (security_invoker = true) AS'
                   ' SELECT p.id, p.municipality_id, p.version, p.created_by_institution,'
                   '        p.created_at, p.updated_at, %s'
                   '   FROM persons p CROSS JOIN LATERAL (SELECT %s) d',
                   columns, categories);
END
$$;
GRANT SELECT ON persons_for_caller TO spona_app;
