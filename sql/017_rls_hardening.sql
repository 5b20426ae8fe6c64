-- 017: the database refuses on its own what the protocol refuses (docs/access.md,
-- "What the database enforces"). Before this migration row-level security checked team
-- membership and the municipality only; a query as spona_app with some institution's
-- identity could read an excluded person, write itself onto a case team, record
-- consent for itself, read the whole municipality's audit trail and ask SECURITY
-- DEFINER helpers about cases it could not see. Now:
--   * reads of persons, cases and everything hanging off them honour the exclusions of
--     the acting user and of the acting institution from ANY case of the person;
--   * every write policy requires what the API requires (the case's lead for team,
--     referrals, exclusions, consent, stage, assessments, conferences; an active,
--     non-emergency team member for its own notes, outcomes and plan versions; nobody
--     writes to a person or case it is excluded from);
--   * audit records are read only by the lead of the person's case and by the
--     institution that acted; the chain is verified by spona_audit_verify(), which
--     answers with the verdict only;
--   * every SECURITY DEFINER function answers only about rows the caller could read;
--   * password hashes are not readable by spona_app: login asks spona_login_lookup()
--     for the hash's parameters and salt and spona_login_verify() for the comparison.
-- Helpers are SECURITY DEFINER (they read tables whose own policies would recurse)
-- LANGUAGE sql, every lookup by an index.

-- Lookups the policies make.
CREATE INDEX IF NOT EXISTS case_team_institution ON case_team (institution_id, case_id);
CREATE INDEX IF NOT EXISTS cases_lead ON cases (lead_institution_id, person_id);
CREATE INDEX IF NOT EXISTS case_exclusions_user ON case_exclusions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS case_exclusions_institution ON case_exclusions (institution_id)
    WHERE institution_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_log_case ON audit_log (case_id, seq) WHERE case_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_log_institution ON audit_log (institution_id, seq);
CREATE INDEX IF NOT EXISTS outcome_follow_ups_outcome ON outcome_follow_ups (outcome_id);

-- ---------------------------------------------------------------------------------
-- Identity helpers
-- ---------------------------------------------------------------------------------

-- The acting institution's registered role (institutions.role, what the server's
-- installation check uses); NULL without an identity.
CREATE FUNCTION spona_current_role() RETURNS text
    LANGUAGE sql STABLE AS
$$ SELECT i.role FROM institutions i
    WHERE i.id = spona_current_institution()
      AND i.municipality_id = spona_current_municipality() AND i.enabled $$;

-- Whether the acting institution or user is excluded from any case of the person.
CREATE OR REPLACE FUNCTION spona_person_excluded(p_person uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases c JOIN case_exclusions x ON x.case_id = c.id
                   WHERE c.person_id = p_person
                     AND (x.institution_id = spona_current_institution()
                          OR x.user_id = spona_current_user())) $$;

-- Whether the acting institution or user is excluded from any case at all. Policies ask
-- it as an uncorrelated subquery, "(SELECT spona_caller_excluded())": an InitPlan that
-- runs once per query, so reading many rows costs the per-row exclusion lookup only
-- for a caller who is excluded somewhere (rare).
CREATE FUNCTION spona_caller_excluded() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM case_exclusions x
                   WHERE x.municipality_id = spona_current_municipality()
                     AND (x.institution_id = spona_current_institution()
                          OR x.user_id = spona_current_user())) $$;

-- The same for the person of a case (015): answers only about the caller.
CREATE OR REPLACE FUNCTION spona_case_person_excluded(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases c JOIN cases other ON other.person_id = c.person_id
                   JOIN case_exclusions x ON x.case_id = other.id
                  WHERE c.id = p_case
                    AND (x.institution_id = spona_current_institution()
                         OR x.user_id = spona_current_user())) $$;

-- On the case's team now (any way in, break-glass included) and not excluded.
CREATE OR REPLACE FUNCTION spona_case_visible(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT EXISTS (
        SELECT 1 FROM case_team t JOIN cases c ON c.id = t.case_id
         WHERE t.case_id = p_case
           AND c.municipality_id = spona_current_municipality()
           AND t.institution_id = spona_current_institution()
           AND t.left_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now()))
       AND NOT spona_case_person_excluded(p_case)
$$;

-- The acting institution leads the case and is not excluded from its person.
CREATE FUNCTION spona_case_led(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases c
                   WHERE c.id = p_case AND c.municipality_id = spona_current_municipality()
                     AND c.lead_institution_id = spona_current_institution())
          AND NOT spona_case_person_excluded(p_case) $$;

-- May write to the case: its lead, or a team member that joined by referral (break-glass
-- writes nothing); never when excluded.
CREATE FUNCTION spona_case_writable(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT EXISTS (
        SELECT 1 FROM case_team t JOIN cases c ON c.id = t.case_id
         WHERE t.case_id = p_case
           AND c.municipality_id = spona_current_municipality()
           AND t.institution_id = spona_current_institution()
           AND t.via <> 'emergency' AND t.left_at IS NULL)
       AND NOT spona_case_person_excluded(p_case)
$$;

-- On the team of some case of the person now (p_write: not by break-glass).
CREATE FUNCTION spona_person_on_team(p_person uuid, p_write boolean) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases c JOIN case_team t ON t.case_id = c.id
                   WHERE c.person_id = p_person
                     AND t.institution_id = spona_current_institution()
                     AND t.left_at IS NULL
                     AND (t.expires_at IS NULL OR t.expires_at > now())
                     AND NOT (p_write AND t.via = 'emergency')) $$;

CREATE OR REPLACE FUNCTION spona_person_visible(p_person uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT EXISTS (
        SELECT 1 FROM persons p
         WHERE p.id = p_person
           AND p.municipality_id = spona_current_municipality()
           AND (p.created_by_institution = spona_current_institution()
                OR spona_person_on_team(p.id, false)))
       AND NOT spona_person_excluded(p_person)
$$;

-- May change the person's record: the registering institution or a (non-emergency) team
-- member of one of the person's cases; never when excluded.
CREATE FUNCTION spona_person_writable(p_person uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT EXISTS (
        SELECT 1 FROM persons p
         WHERE p.id = p_person
           AND p.municipality_id = spona_current_municipality()
           AND (p.created_by_institution = spona_current_institution()
                OR spona_person_on_team(p.id, true)))
       AND NOT spona_person_excluded(p_person)
$$;

-- Leads a case of the person (or registered a person who has no case yet); not excluded.
CREATE FUNCTION spona_person_led(p_person uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT (EXISTS (SELECT 1 FROM cases c
                     WHERE c.person_id = p_person
                       AND c.municipality_id = spona_current_municipality()
                       AND c.lead_institution_id = spona_current_institution())
            OR EXISTS (SELECT 1 FROM persons p
                        WHERE p.id = p_person
                          AND p.municipality_id = spona_current_municipality()
                          AND p.created_by_institution = spona_current_institution()
                          AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id)))
       AND NOT spona_person_excluded(p_person)
$$;

-- The acting institution's accepted referral on the case (it joins the team by it).
CREATE FUNCTION spona_referral_accepted(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM referrals r
                   WHERE r.case_id = p_case AND r.institution_id = spona_current_institution()
                     AND r.municipality_id = spona_current_municipality()
                     AND r.status = 'accepted') $$;

CREATE OR REPLACE FUNCTION spona_referral_visible(p_case uuid, p_institution uuid) RETURNS boolean
    LANGUAGE sql STABLE AS
$$ SELECT (p_institution = spona_current_institution() AND NOT spona_case_person_excluded(p_case))
          OR spona_case_visible(p_case) $$;

-- A record that an institution wrote stays visible to it after it left the team, unless
-- it (or the acting user) is excluded.
CREATE OR REPLACE FUNCTION spona_case_record_visible(p_case uuid, p_writer uuid) RETURNS boolean
    LANGUAGE sql STABLE AS
$$ SELECT spona_case_visible(p_case)
          OR (p_writer = spona_current_institution() AND NOT spona_case_person_excluded(p_case)) $$;

CREATE FUNCTION spona_assessment_led(p_assessment uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM assessments a
                   WHERE a.id = p_assessment AND spona_case_led(a.case_id)) $$;

CREATE FUNCTION spona_plan_writable(p_plan uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM plans p WHERE p.id = p_plan AND spona_case_writable(p.case_id)) $$;

-- Follow-ups of an outcome: the case's lead or the institution that recorded it.
CREATE FUNCTION spona_outcome_writable(p_outcome uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM outcomes o
                   WHERE o.id = p_outcome AND o.municipality_id = spona_current_municipality()
                     AND (o.institution_id = spona_current_institution() OR spona_case_led(o.case_id))
                     AND NOT spona_case_person_excluded(o.case_id)) $$;

-- For the request pipeline's exclusion gate (server/request/subject.c): row security
-- hides a person from a party excluded from any of its cases, so the pipeline cannot
-- read the subject to learn that its caller is excluded. This answers only to such a
-- caller, about the id it gave (kind: person, case, referral, outcome): the person and
-- the case, for the refusal's audit record ("denied", with her ids, for the lead to
-- review). For anyone else, no row.
CREATE FUNCTION spona_excluded_subject(p_kind text, p_id uuid)
    RETURNS TABLE (person_id uuid, case_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT s.person_id, s.case_id FROM (
        SELECT p.id AS person_id, NULL::uuid AS case_id, p.municipality_id
          FROM persons p WHERE p_kind = 'person' AND p.id = p_id
        UNION ALL
        SELECT c.person_id, c.id, c.municipality_id
          FROM cases c WHERE p_kind = 'case' AND c.id = p_id
        UNION ALL
        SELECT c.person_id, c.id, c.municipality_id
          FROM referrals r JOIN cases c ON c.id = r.case_id
         WHERE p_kind = 'referral' AND r.id = p_id
        UNION ALL
        SELECT c.person_id, c.id, c.municipality_id
          FROM outcomes o JOIN cases c ON c.id = o.case_id
         WHERE p_kind = 'outcome' AND o.id = p_id) s
     WHERE s.municipality_id = spona_current_municipality()
       AND spona_person_excluded(s.person_id)
$$;

-- ---------------------------------------------------------------------------------
-- SECURITY DEFINER functions that answered about rows the caller cannot see
-- ---------------------------------------------------------------------------------

-- About the caller itself, or about any institution for the case's lead (explain).
CREATE OR REPLACE FUNCTION spona_case_excluded(p_case uuid, p_institution uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT (p_institution = spona_current_institution() OR spona_case_led(p_case))
      AND EXISTS (SELECT 1 FROM case_exclusions x
                   WHERE x.case_id = p_case
                     AND (x.institution_id = p_institution
                          OR (p_institution = spona_current_institution()
                              AND x.user_id = spona_current_user()))) $$;

-- Break-glass only: answers for an institution registered as a lead agency (who alone
-- may use break-glass, audited); for anyone else no case exists.
CREATE OR REPLACE FUNCTION spona_case_exists(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT spona_current_role() = 'lead_agency'
      AND EXISTS (SELECT 1 FROM cases WHERE id = p_case
                     AND municipality_id = spona_current_municipality()) $$;

-- Loose search candidates: only persons the caller may see (before the limit).
CREATE OR REPLACE FUNCTION spona_person_loose_candidates(p_key text, p_limit integer)
    RETURNS TABLE (person_id uuid, rank bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT p.id, row_number() OVER (ORDER BY word_similarity(p_key, p.name_key_loose) DESC,
                                             p.name_key, p.id)
      FROM persons p
     WHERE p.municipality_id = spona_current_municipality() AND p_key <% p.name_key_loose
       AND spona_person_visible(p.id)
     ORDER BY 2
     LIMIT least(greatest(p_limit, 0), 1000)
$$;

-- Overdue counts per institution: the coordinator's (who sees no case).
CREATE OR REPLACE FUNCTION spona_overdue_counts() RETURNS TABLE (institution_code text, overdue bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT i.code, count(*)
      FROM referrals r JOIN institutions i ON i.id = r.institution_id
     WHERE r.municipality_id = spona_current_municipality()
       AND spona_current_role() = 'coordinator'
       AND r.status IN ('sent', 'accepted') AND r.due_date < current_date
     GROUP BY i.code ORDER BY i.code
$$;

-- ---------------------------------------------------------------------------------
-- Row policies: one per command
-- ---------------------------------------------------------------------------------

DROP POLICY persons_team ON persons;
CREATE POLICY persons_read ON persons FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND (created_by_institution = spona_current_institution()
                OR spona_person_on_team(id, false))
           AND (NOT (SELECT spona_caller_excluded()) OR NOT spona_person_excluded(id)));
CREATE POLICY persons_insert ON persons FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND created_by_institution = spona_current_institution());
CREATE POLICY persons_update ON persons FOR UPDATE
    USING (municipality_id = spona_current_municipality() AND spona_person_writable(id))
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_person_writable(id));

DROP POLICY cases_team ON cases;
CREATE POLICY cases_read ON cases FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND (lead_institution_id = spona_current_institution() OR spona_case_visible(id))
           AND (NOT (SELECT spona_caller_excluded()) OR NOT spona_person_excluded(person_id)));
CREATE POLICY cases_insert ON cases FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND lead_institution_id = spona_current_institution()
                AND lead_user_id = spona_current_user()
                AND spona_person_visible(person_id));
-- (USING as for reading: SELECT ... FOR UPDATE, which a partner's write takes to
-- serialise on the case, applies it; the change itself is the lead's)
CREATE POLICY cases_update ON cases FOR UPDATE
    USING (municipality_id = spona_current_municipality()
           AND (lead_institution_id = spona_current_institution() OR spona_case_visible(id))
           AND NOT spona_person_excluded(person_id))
    WITH CHECK (municipality_id = spona_current_municipality()
                AND lead_institution_id = spona_current_institution()
                AND NOT spona_person_excluded(person_id));

-- The team: the lead adds itself when it opens the case; an institution joins by its own
-- accepted referral, or by break-glass (a lead agency, for the acting user).
DROP POLICY case_team_team ON case_team;
CREATE POLICY case_team_read ON case_team FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND ((institution_id = spona_current_institution()
                 AND NOT spona_case_person_excluded(case_id))
                OR spona_case_visible(case_id)));
CREATE POLICY case_team_insert ON case_team FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND institution_id = spona_current_institution()
                AND NOT spona_case_person_excluded(case_id)
                AND ((via = 'lead' AND spona_case_led(case_id))
                     OR (via = 'referral' AND spona_referral_accepted(case_id))
                     OR (via = 'emergency' AND emergency_user = spona_current_user()
                         AND spona_current_role() = 'lead_agency')));
CREATE POLICY case_team_update ON case_team FOR UPDATE
    USING (municipality_id = spona_current_municipality()
           AND (institution_id = spona_current_institution() OR spona_case_led(case_id))
           AND NOT spona_case_person_excluded(case_id))
    WITH CHECK (municipality_id = spona_current_municipality()
                AND NOT spona_case_person_excluded(case_id)
                AND (spona_case_led(case_id)
                     OR (institution_id = spona_current_institution() AND via <> 'lead'
                         AND (left_at IS NOT NULL
                              OR (via = 'referral' AND spona_referral_accepted(case_id))
                              OR (via = 'emergency' AND emergency_user = spona_current_user()
                                  AND spona_current_role() = 'lead_agency')))));

DROP POLICY referrals_team ON referrals;
CREATE POLICY referrals_read ON referrals FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND spona_referral_visible(case_id, institution_id));
CREATE POLICY referrals_insert ON referrals FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_led(case_id)
                AND created_by = spona_current_user());
CREATE POLICY referrals_update ON referrals FOR UPDATE
    USING (municipality_id = spona_current_municipality()
           AND (institution_id = spona_current_institution() OR spona_case_led(case_id))
           AND NOT spona_case_person_excluded(case_id))
    WITH CHECK (municipality_id = spona_current_municipality()
                AND (institution_id = spona_current_institution() OR spona_case_led(case_id))
                AND NOT spona_case_person_excluded(case_id));

DROP POLICY consents_team ON consents;
CREATE POLICY consents_read ON consents FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND (institution_id = spona_current_institution() OR spona_person_visible(person_id))
           AND NOT spona_person_excluded(person_id));
CREATE POLICY consents_insert ON consents FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND recorded_by = spona_current_user() AND spona_person_led(person_id));
CREATE POLICY consents_update ON consents FOR UPDATE
    USING (municipality_id = spona_current_municipality() AND spona_person_led(person_id))
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_person_led(person_id));

DROP POLICY case_exclusions_lead ON case_exclusions;
CREATE POLICY case_exclusions_read ON case_exclusions FOR SELECT
    USING (municipality_id = spona_current_municipality() AND spona_case_led(case_id));
CREATE POLICY case_exclusions_insert ON case_exclusions FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_led(case_id)
                AND created_by = spona_current_user()
                AND (institution_id IS NULL OR institution_id <> spona_current_institution()));

-- Break-glass history: reviewed by the coordinator and the lead agency; each institution
-- sees its own; only the coordinator marks a review.
DROP POLICY emergency_accesses_municipality ON emergency_accesses;
CREATE POLICY emergency_accesses_read ON emergency_accesses FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND (institution_id = spona_current_institution()
                OR spona_current_role() IN ('coordinator', 'lead_agency')));
CREATE POLICY emergency_accesses_insert ON emergency_accesses FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND institution_id = spona_current_institution()
                AND user_id = spona_current_user()
                AND NOT spona_case_person_excluded(case_id));
CREATE POLICY emergency_accesses_review ON emergency_accesses FOR UPDATE
    USING (municipality_id = spona_current_municipality()
           AND spona_current_role() = 'coordinator')
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_current_role() = 'coordinator'
                AND reviewed_by = spona_current_user());

-- Household and benefit periods: read with the person, written by who may change it.
DROP POLICY person_household_team ON person_household;
CREATE POLICY person_household_read ON person_household FOR SELECT
    USING (municipality_id = spona_current_municipality() AND spona_person_visible(person_id));
CREATE POLICY person_household_insert ON person_household FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_person_writable(person_id));
CREATE POLICY person_household_delete ON person_household FOR DELETE
    USING (municipality_id = spona_current_municipality() AND spona_person_writable(person_id));
DROP POLICY person_benefits_team ON person_benefits;
CREATE POLICY person_benefits_read ON person_benefits FOR SELECT
    USING (municipality_id = spona_current_municipality() AND spona_person_visible(person_id));
CREATE POLICY person_benefits_insert ON person_benefits FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_person_writable(person_id));

-- Case records (006). Reads keep their policies (the helpers above now honour
-- exclusions); writes get their own.
ALTER POLICY case_stage_changes_team ON case_stage_changes
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_led(case_id)
                AND changed_by = spona_current_user());
ALTER POLICY assessments_team ON assessments
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_led(case_id));
ALTER POLICY assessment_domains_team ON assessment_domains
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_assessment_led(assessment_id));
-- a partner sets the status of its own measures by storing a new plan version
ALTER POLICY plans_team ON plans
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_writable(case_id)
                AND created_by = spona_current_user());
ALTER POLICY plan_goals_team ON plan_goals
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_plan_writable(plan_id));
ALTER POLICY plan_measures_team ON plan_measures
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_plan_writable(plan_id));
DROP POLICY case_conferences_team ON case_conferences;
CREATE POLICY case_conferences_read ON case_conferences FOR SELECT
    USING (municipality_id = spona_current_municipality() AND spona_case_visible(case_id));
CREATE POLICY case_conferences_insert ON case_conferences FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_led(case_id)
                AND created_by = spona_current_user());
CREATE POLICY case_conferences_update ON case_conferences FOR UPDATE
    USING (municipality_id = spona_current_municipality() AND spona_case_led(case_id))
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_led(case_id));
ALTER POLICY case_notes_team ON case_notes
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_writable(case_id)
                AND institution_id = spona_current_institution()
                AND author = spona_current_user());
DROP POLICY outcomes_team ON outcomes;
CREATE POLICY outcomes_read ON outcomes FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND spona_case_record_visible(case_id, institution_id));
CREATE POLICY outcomes_insert ON outcomes FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_case_writable(case_id)
                AND institution_id = spona_current_institution()
                AND recorded_by = spona_current_user());
CREATE POLICY outcomes_update ON outcomes FOR UPDATE
    USING (municipality_id = spona_current_municipality()
           AND spona_case_record_visible(case_id, institution_id))
    WITH CHECK (municipality_id = spona_current_municipality() AND spona_outcome_writable(id));
DROP POLICY outcome_follow_ups_team ON outcome_follow_ups;
CREATE POLICY outcome_follow_ups_read ON outcome_follow_ups FOR SELECT
    USING (municipality_id = spona_current_municipality() AND spona_outcome_visible(outcome_id));
CREATE POLICY outcome_follow_ups_insert ON outcome_follow_ups FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_outcome_writable(outcome_id)
                AND recorded_by = spona_current_user());
CREATE POLICY outcome_follow_ups_update ON outcome_follow_ups FOR UPDATE
    USING (municipality_id = spona_current_municipality() AND spona_outcome_writable(outcome_id))
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_outcome_writable(outcome_id));

-- Released report figures: released by the acting institution's request.
ALTER POLICY report_releases_municipality ON report_releases
    WITH CHECK (municipality_id = spona_current_municipality()
                AND released_for = spona_current_institution());

-- Protocols (002) had no row security: any identity could store a version for any
-- municipality. Everyone reads them; the coordinator or a lead agency stores the next
-- version of its own municipality, and its signatories in the same transaction.
ALTER TABLE protocols ENABLE ROW LEVEL SECURITY;
ALTER TABLE protocol_signatories ENABLE ROW LEVEL SECURITY;
CREATE POLICY protocols_read ON protocols FOR SELECT USING (true);
CREATE POLICY protocols_import ON protocols FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND imported_by = spona_current_user()
                AND spona_current_role() IN ('coordinator', 'lead_agency'));
-- (activation by the last approval, granted by a later migration: within the municipality)
CREATE POLICY protocols_activate ON protocols FOR UPDATE
    USING (municipality_id = spona_current_municipality())
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY protocol_signatories_read ON protocol_signatories FOR SELECT USING (true);
CREATE POLICY protocol_signatories_import ON protocol_signatories FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_current_role() IN ('coordinator', 'lead_agency')
                AND EXISTS (SELECT 1 FROM protocols p
                             WHERE p.id = protocol_id
                               AND p.municipality_id = spona_current_municipality()
                               AND p.imported_at = now()));

-- ---------------------------------------------------------------------------------
-- The audit trail
-- ---------------------------------------------------------------------------------

-- Records about a person or case the acting institution leads, and its own actions
-- (compared inline: no call for them); nothing about a person it (or the acting user) is
-- excluded from (looked up per row only for a caller excluded somewhere).
CREATE FUNCTION spona_audit_led(p_person uuid, p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases c
                   WHERE c.lead_institution_id = spona_current_institution()
                     AND c.municipality_id = spona_current_municipality()
                     AND (c.id = p_case OR c.person_id = p_person)) $$;

CREATE FUNCTION spona_audit_excluded(p_person uuid, p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT (p_person IS NOT NULL AND spona_person_excluded(p_person))
          OR (p_case IS NOT NULL AND spona_case_person_excluded(p_case)) $$;

DROP POLICY audit_log_municipality ON audit_log;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND (institution_id = spona_current_institution()
                OR spona_audit_led(person_id, case_id))
           AND (NOT (SELECT spona_caller_excluded())
                OR NOT spona_audit_excluded(person_id, case_id)));
-- the server appends records of its caller (a login records the user it logged in)
CREATE POLICY audit_log_append ON audit_log FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND institution_id IS NOT DISTINCT FROM spona_current_institution()
                AND (user_id IS NOT DISTINCT FROM spona_current_user()
                     OR spona_current_user() IS NULL));

-- The chain check (audit_verify; docs/access.md): walks the acting municipality's trail
-- up to its head and answers with the verdict only: how many records it examined, the
-- first bad position (0 when intact) and why, and the head's hash. Only for the
-- coordinator and the lead agency (who may ask for the verdict through the API).
CREATE FUNCTION spona_audit_verify()
    RETURNS TABLE (records bigint, bad_seq bigint, problem text, head_hash text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    m uuid := spona_current_municipality();
    head audit_head%ROWTYPE;
    r record;
    expected bigint := 1;
    last_hash bytea := decode(repeat('00', 32), 'hex');
BEGIN
    IF m IS NULL OR coalesce(spona_current_role(), '') NOT IN ('coordinator', 'lead_agency') THEN
        RAISE EXCEPTION 'permission denied for the audit chain' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO head FROM audit_head h WHERE h.municipality_id = m;
    records := 0; bad_seq := 0; problem := '';
    head_hash := coalesce(encode(head.hash, 'hex'), '');
    FOR r IN SELECT a.seq, a.prev_hash, a.hash,
                    sha256(a.prev_hash || convert_to(spona_audit_canonical(a), 'UTF8')) AS computed
               FROM audit_log a
              WHERE a.municipality_id = m AND a.seq <= coalesce(head.seq, 9223372036854775807)
              ORDER BY a.seq LOOP
        records := records + 1;
        IF r.seq <> expected THEN
            bad_seq := expected;
            problem := format('record %s is missing (deleted)', expected);
        ELSIF r.prev_hash <> last_hash THEN
            bad_seq := r.seq;
            problem := CASE WHEN r.seq = 1
                THEN 'record 1 does not start the chain (reordered or a record was removed)'
                ELSE format('record %s does not follow record %s (reordered or a record was removed)',
                            r.seq, r.seq - 1) END;
        ELSIF r.computed <> r.hash THEN
            bad_seq := r.seq;
            problem := format('record %s was modified', r.seq);
        END IF;
        IF bad_seq <> 0 THEN
            RETURN NEXT;
            RETURN;
        END IF;
        last_hash := r.hash;
        expected := r.seq + 1;
    END LOOP;
    IF head.seq IS NULL AND records > 0 THEN
        bad_seq := expected;
        problem := 'the chain''s head (audit_head) is missing';
    ELSIF head.seq IS NOT NULL AND expected - 1 <> head.seq THEN
        bad_seq := expected;
        problem := format('the newest records were removed (the trail ends at record %s, its '
                          'head is record %s)', expected - 1, head.seq);
    ELSIF head.seq IS NOT NULL AND expected > 1 AND head.hash <> last_hash THEN
        bad_seq := expected - 1;
        problem := format('record %s was modified (it does not match the chain''s head)',
                          expected - 1);
    END IF;
    RETURN NEXT;
END
$$;

-- ---------------------------------------------------------------------------------
-- Passwords: the hash is not readable by spona_app
-- ---------------------------------------------------------------------------------

REVOKE SELECT ON users FROM spona_app;
GRANT SELECT (id, municipality_id, institution_id, username, full_name, enabled,
              failed_logins, locked_until, created_at) ON users TO spona_app;

-- What login needs for a user of an institution (login runs before any identity is set:
-- the server passes the installation's institution): its id, the
-- stored hash without its key (the parameters and salt: "$scrypt$ln=..,r=..,p=..$salt$"),
-- whether it may log in and whether it is locked.
CREATE FUNCTION spona_login_lookup(p_institution uuid, p_username text)
    RETURNS TABLE (user_id uuid, hash_settings text, usable boolean, locked boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT u.id, substring(u.password_hash FROM '^(.*\$)[^$]*$'), u.enabled AND i.enabled,
          coalesce(u.locked_until > now(), false)
     FROM users u JOIN institutions i ON i.id = u.institution_id
    WHERE u.institution_id = p_institution AND u.username = p_username $$;

-- Whether p_hash (computed by the server from the password with those settings) is the
-- stored hash of the user; the stored hash never leaves the database.
CREATE FUNCTION spona_login_verify(p_user uuid, p_hash text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM users u
                   WHERE u.id = p_user AND u.password_hash = p_hash) $$;

-- ---------------------------------------------------------------------------------
-- Grants: every helper callable by spona_app, none by PUBLIC
-- ---------------------------------------------------------------------------------

-- (spona_app keeps EXECUTE on what it could execute until now, granted to it by name;
-- PUBLIC loses it)
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'spona\_%'
                AND p.prorettype <> 'trigger'::regtype LOOP
        IF has_function_privilege('spona_app', f, 'EXECUTE') THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO spona_app', f);
        END IF;
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;
