-- 046: a plan measure with a responsible partner refers the person to it (docs/cases.md,
-- "Rules the workflow owes its users"): plan_measures.referral_id names the referral the
-- measure created or was linked to (every later plan version copies it), and
-- referrals.plan_measure the number of the measure in the case's plan (NULL: none). Both
-- are links, no one's personal text: granted to spona_app beside the other link columns,
-- and shown through the category-aware views of sql/030 (a column added at the end).

ALTER TABLE plan_measures ADD COLUMN referral_id uuid REFERENCES referrals(id);
ALTER TABLE referrals ADD COLUMN plan_measure integer CHECK (plan_measure > 0);
-- made by plan_change and not yet taken over by the lead's own referral_create, which
-- then gives it its measure text and due date instead of sending a second referral
ALTER TABLE referrals ADD COLUMN plan_created boolean NOT NULL DEFAULT false;
CREATE INDEX referrals_open_unlinked ON referrals (case_id, institution_id)
    WHERE status IN ('sent', 'accepted') AND plan_measure IS NULL;

GRANT SELECT (referral_id) ON plan_measures TO spona_app;
GRANT SELECT (plan_measure, plan_created) ON referrals TO spona_app;

-- A measure keeps its referral in every later version of the plan: a new version's
-- measure without a link takes the link of the same-numbered measure of the version
-- before (measures are added, never rewritten, so a number names one measure). This
-- also covers the database's own status copy (spona_plan_copy, sql/032), which does
-- not know the column.
CREATE FUNCTION spona_plan_measure_keeps_referral() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF NEW.referral_id IS NULL THEN
        SELECT m.referral_id INTO NEW.referral_id
          FROM plans p
          JOIN plans before ON before.case_id = p.case_id AND before.version = p.version - 1
          JOIN plan_measures m ON m.plan_id = before.id AND m.number = NEW.number
         WHERE p.id = NEW.plan_id;
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION spona_plan_measure_keeps_referral() FROM PUBLIC;
CREATE TRIGGER plan_measures_keep_referral BEFORE INSERT ON plan_measures
    FOR EACH ROW EXECUTE FUNCTION spona_plan_measure_keeps_referral();

CREATE OR REPLACE VIEW plan_measures_for_caller WITH (security_barrier = true) AS
    SELECT m.plan_id, m.municipality_id, m.number, m.kind, m.responsible_institution_id,
           m.due_date, m.status,
           CASE WHEN d.allowed THEN m.description END AS description,
           m.referral_id
      FROM plan_measures m
     CROSS JOIN LATERAL (SELECT spona_plan_text_readable(
                                    (SELECT p.case_id FROM plans p WHERE p.id = m.plan_id))
                                AS allowed OFFSET 0) d
     WHERE m.municipality_id = spona_current_municipality() AND spona_plan_visible(m.plan_id);

CREATE OR REPLACE VIEW referrals_for_caller WITH (security_barrier = true) AS
    SELECT r.id, r.municipality_id, r.case_id, r.person_id, r.institution_id, r.due_date,
           r.status, r.created_by, r.created_at, r.responded_at, r.version, r.accepted_at,
           r.declined_at, r.completed_at, r.accepted_by, r.answered_by,
           CASE WHEN d.allowed THEN r.measure END AS measure,
           CASE WHEN d.allowed OR d.addressee THEN r.decline_reason END AS decline_reason,
           CASE WHEN d.allowed OR d.addressee THEN r.result END AS result,
           r.plan_measure
      FROM referrals r
     CROSS JOIN LATERAL (SELECT spona_referral_text_readable(r.case_id, r.person_id,
                                                             r.institution_id) AS allowed,
                                r.institution_id = spona_current_institution() AS addressee
                          OFFSET 0) d
     WHERE r.municipality_id = spona_current_municipality()
       AND spona_referral_visible(r.case_id, r.institution_id);
