-- 030: the plan and the referrals read only through category-aware views (issue 10;
-- docs/access.md, "Columns by category"), as 025/028 did for persons and the written
-- records of a case. spona_app keeps SELECT only on the columns of plans, plan_goals,
-- plan_measures and referrals that are no one's personal data (ids, municipality,
-- version, numbers, dates, statuses, who wrote it); the texts (a plan's obligations, a
-- goal's text, a measure's description, a referral's measure, decline reason and
-- result: all plan_measures, docs/cases.md) only through <table>_for_caller. Each view
-- is security_barrier, its rows the table's read policy (sql/017) written out, its text
-- NULL unless the decision table lets the caller read plan_measures, decided once per
-- row in a LATERAL subquery fenced by OFFSET 0 (028: unfenced, the call is copied into
-- every column that reads it).
--
-- The plan: every change stores a whole new version (server/handlers/handlers_plan.c,
-- plan_change), so an institution the protocol lets write plan_measures of the case
-- copies the version it changes, texts included; the plan's views give the texts to a
-- reader or a writer of plan_measures. What the API answers a writer that may not read
-- stays the C filter's (plan_change_answer: no goal, no measure), and plan_get refuses it.
--
-- A referral's measure: to a reader of the case's plan_measures, and to the institution
-- it is addressed to as the C side decides it (handlers_referral.c,
-- referral_addressee_decide): the referral counts as its place on the team, it does
-- not lead the case, its own consents of the person count; so a pending referral's
-- measure shows to an addressee whose role reads plan_measures (with consent where the
-- clause needs it) before it joined the team. The decline reason and the result: the
-- addressee wrote them, and sees them as the API shows them (the measure alone is
-- blanked for it); anyone else by the plan_measures decision.
-- Does not depend on 029.

REVOKE SELECT ON plans, plan_goals, plan_measures, referrals FROM spona_app;
GRANT SELECT (id, case_id, municipality_id, version, review_date, created_by, created_at)
    ON plans TO spona_app;
GRANT SELECT (plan_id, municipality_id, number, target_date, status) ON plan_goals TO spona_app;
GRANT SELECT (plan_id, municipality_id, number, kind, responsible_institution_id, due_date,
              status) ON plan_measures TO spona_app;
GRANT SELECT (id, municipality_id, case_id, person_id, institution_id, due_date, status,
              created_by, created_at, responded_at, version, accepted_at, declined_at,
              completed_at, accepted_by, answered_by) ON referrals TO spona_app;

-- Whether the caller may read or write plan_measures of case p_case (the plan's texts).
CREATE FUNCTION spona_plan_text_readable(p_case uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE AS
$$ BEGIN
    RETURN spona_decide_clause('plan_measures', 'read', p_case) IS NOT NULL
        OR spona_decide_clause('plan_measures', 'write', p_case) IS NOT NULL;
END $$;
GRANT EXECUTE ON FUNCTION spona_plan_text_readable(uuid) TO spona_app;

-- Whether the caller may read referral p_referral's measure: by the plan_measures
-- decision of its case, or as its addressee (see above). p_person: the referral's person.
CREATE FUNCTION spona_referral_text_readable(p_case uuid, p_person uuid, p_addressee uuid)
    RETURNS boolean LANGUAGE plpgsql STABLE AS
$$ BEGIN
    IF p_addressee = spona_current_institution() AND spona_decide_subject(
           'plan_measures', 'read', spona_caller_role(), false, true, false,
           EXISTS (SELECT 1 FROM consents k
                    WHERE k.person_id = p_person
                      AND k.institution_id = spona_current_institution()
                      AND k.category = 'plan_measures' AND k.withdrawn_at IS NULL
                      AND k.given_on <= current_date
                      AND (k.expires_on IS NULL OR k.expires_on >= current_date)),
           spona_person_excluded(p_person), false) IS NOT NULL THEN
        RETURN true;
    END IF;
    RETURN spona_decide_clause('plan_measures', 'read', p_case) IS NOT NULL;
END $$;
GRANT EXECUTE ON FUNCTION spona_referral_text_readable(uuid, uuid, uuid) TO spona_app;

-- Plans: rows of plans_team (017); the obligations by the decision above.
CREATE VIEW plans_for_caller WITH (security_barrier = true) AS
    SELECT p.id, p.case_id, p.municipality_id, p.version, p.review_date, p.created_by,
           p.created_at,
           CASE WHEN d.allowed THEN p.obligations END AS obligations
      FROM plans p
     CROSS JOIN LATERAL (SELECT spona_plan_text_readable(p.case_id) AS allowed OFFSET 0) d
     WHERE p.municipality_id = spona_current_municipality() AND spona_case_visible(p.case_id);

-- Goals and measures: rows of plan_goals_team / plan_measures_team (017), decided on
-- their plan's case.
CREATE VIEW plan_goals_for_caller WITH (security_barrier = true) AS
    SELECT g.plan_id, g.municipality_id, g.number, g.target_date, g.status,
           CASE WHEN d.allowed THEN g.text END AS text
      FROM plan_goals g
     CROSS JOIN LATERAL (SELECT spona_plan_text_readable(
                                    (SELECT p.case_id FROM plans p WHERE p.id = g.plan_id))
                                AS allowed OFFSET 0) d
     WHERE g.municipality_id = spona_current_municipality() AND spona_plan_visible(g.plan_id);

CREATE VIEW plan_measures_for_caller WITH (security_barrier = true) AS
    SELECT m.plan_id, m.municipality_id, m.number, m.kind, m.responsible_institution_id,
           m.due_date, m.status,
           CASE WHEN d.allowed THEN m.description END AS description
      FROM plan_measures m
     CROSS JOIN LATERAL (SELECT spona_plan_text_readable(
                                    (SELECT p.case_id FROM plans p WHERE p.id = m.plan_id))
                                AS allowed OFFSET 0) d
     WHERE m.municipality_id = spona_current_municipality() AND spona_plan_visible(m.plan_id);

-- Referrals: rows of referrals_read (017).
CREATE VIEW referrals_for_caller WITH (security_barrier = true) AS
    SELECT r.id, r.municipality_id, r.case_id, r.person_id, r.institution_id, r.due_date,
           r.status, r.created_by, r.created_at, r.responded_at, r.version, r.accepted_at,
           r.declined_at, r.completed_at, r.accepted_by, r.answered_by,
           CASE WHEN d.allowed THEN r.measure END AS measure,
           CASE WHEN d.allowed OR d.addressee THEN r.decline_reason END AS decline_reason,
           CASE WHEN d.allowed OR d.addressee THEN r.result END AS result
      FROM referrals r
     CROSS JOIN LATERAL (SELECT spona_referral_text_readable(r.case_id, r.person_id,
                                                             r.institution_id) AS allowed,
                                r.institution_id = spona_current_institution() AS addressee
                          OFFSET 0) d
     WHERE r.municipality_id = spona_current_municipality()
       AND spona_referral_visible(r.case_id, r.institution_id);

GRANT SELECT ON plans_for_caller, plan_goals_for_caller, plan_measures_for_caller,
    referrals_for_caller TO spona_app;
