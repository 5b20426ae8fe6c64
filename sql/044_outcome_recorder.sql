-- 044: the institution that recorded an outcome records its follow-ups (docs/cases.md,
-- "Rules the workflow owes its users"), also after its place on the team ended (its last
-- referral completed), when row-level security no longer shows it the case.
--
-- spona_outcome_recorder_subject answers only about an outcome the caller's institution
-- recorded, in its municipality: the columns of the server's subject (access_fill in
-- server/policy/access.c, in its order), the recorder counted as on the team for its own
-- outcome, so the protocol's clause and its consent condition still decide. The write
-- check of follow-ups and of the outcome's version allows the same recorder.

CREATE FUNCTION spona_outcome_recorder_subject(p_outcome uuid, p_version integer)
    RETURNS TABLE (case_id uuid, person_id uuid, lead_institution_id uuid,
                   address_withheld boolean, institution_id uuid, institution_code text,
                   on_team boolean, emergency boolean, role text, consented text[],
                   excluded boolean, person_excluded boolean, closed boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT c.id, c.person_id, c.lead_institution_id,
          p.safety_flag AND c.lead_institution_id <> i.id, i.id, i.code, true, false,
          (SELECT s.role FROM protocol_signatories s JOIN protocols pr ON pr.id = s.protocol_id
            WHERE s.institution_id = i.id AND pr.municipality_id = c.municipality_id
              AND pr.version = p_version),
          ARRAY(SELECT DISTINCT k.category FROM consents k
                 WHERE k.person_id = c.person_id AND k.institution_id = i.id
                   AND k.withdrawn_at IS NULL AND k.given_on <= current_date
                   AND (k.expires_on IS NULL OR k.expires_on >= current_date)),
          spona_case_excluded(c.id, i.id), spona_person_excluded(c.person_id),
          c.closed_at IS NOT NULL
     FROM outcomes o JOIN cases c ON c.id = o.case_id
     JOIN persons p ON p.id = c.person_id
     JOIN institutions i ON i.id = o.institution_id
    WHERE o.id = p_outcome AND o.municipality_id = spona_current_municipality()
      AND o.institution_id = spona_current_institution() $$;

REVOKE ALL ON FUNCTION spona_outcome_recorder_subject(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_outcome_recorder_subject(uuid, integer) TO spona_app;

-- The recorder's decision on its own outcome: as a team member of the case.
CREATE FUNCTION spona_outcome_recorder_decide(p_category text, p_action text, p_outcome uuid)
    RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$ BEGIN
    RETURN (SELECT spona_decide_subject(p_category, p_action, s.role, false, true, false,
                                        p_category = ANY (s.consented),
                                        s.excluded OR s.person_excluded, s.address_withheld)
              FROM spona_outcome_recorder_subject(p_outcome, spona_version_in_force()) s)
           IS NOT NULL;
END $$;

REVOKE ALL ON FUNCTION spona_outcome_recorder_decide(text, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_outcome_recorder_decide(text, text, uuid) TO spona_app;

CREATE OR REPLACE FUNCTION spona_case_record_write_check() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    category text := TG_ARGV[0];
    record_case uuid;
    allowed boolean;
BEGIN
    IF current_user <> 'spona_app' THEN
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME IN ('plan_goals', 'plan_measures') THEN
        SELECT p.case_id INTO record_case FROM plans p WHERE p.id = NEW.plan_id;
    ELSIF TG_TABLE_NAME = 'outcome_follow_ups' THEN
        SELECT o.case_id INTO record_case FROM outcomes o WHERE o.id = NEW.outcome_id;
    ELSE
        record_case := NEW.case_id;
    END IF;
    allowed := spona_decide(category, 'write', record_case);
    IF allowed IS NOT TRUE AND TG_TABLE_NAME = 'outcome_follow_ups' THEN
        allowed := spona_outcome_recorder_decide(category, 'write', NEW.outcome_id);
    ELSIF allowed IS NOT TRUE AND TG_TABLE_NAME = 'outcomes' AND TG_OP = 'UPDATE' THEN
        allowed := spona_outcome_recorder_decide(category, 'write', NEW.id);
    END IF;
    PERFORM spona_require_write(allowed, category, TG_TABLE_NAME);
    RETURN NEW;
END
$$;

-- An outcome's date for the follow-up window check (server/handlers/follow_up_window.c),
-- only to a caller that may write its follow-ups (spona_outcome_writable, sql/017): a
-- writer that may not read outcomes is checked without being told the date.
CREATE FUNCTION spona_outcome_date_for_writer(p_outcome uuid) RETURNS date
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT o.occurred_on FROM outcomes o
    WHERE o.id = p_outcome AND spona_outcome_writable(p_outcome) $$;

REVOKE ALL ON FUNCTION spona_outcome_date_for_writer(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_outcome_date_for_writer(uuid) TO spona_app;
