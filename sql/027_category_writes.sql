-- 027: the database refuses a write of a category the protocol does not let the caller
-- write (docs/access.md, "Writes by category"), on its own, as row-level security
-- refuses rows. Until now the write policies of 017 decided only the row (team,
-- exclusion, lead): a school on a case's team could set a person's health_notes or add
-- an outcome by SQL as the server's role, although only the C filter stood in the way.
-- Triggers now ask the stored decision table (022, spona_decide*) for every category a
-- statement writes:
--   persons              each personal column that changes (person_field_categories),
--                        on INSERT as the registering institution (the intake's lead)
--   person_household,
--   person_benefits      benefits_household
--   case_notes,
--   case_conferences     case_notes
--   outcomes,
--   outcome_follow_ups   outcomes
--   plans, plan_goals,
--   plan_measures        plan_measures
-- A refused write raises insufficient_privilege (42501) naming the category. The
-- triggers apply to the server's role (spona_app) only: the owner's tools (migrations,
-- spona-generate-persons, admin commands) act for no institution. Assessments are not
-- covered: a domain's category is decided per domain by the server
-- (server/policy/case_domains.c) and not yet stored in the database.

-- Refuses unless the caller may write p_category (p_allowed from spona_decide*).
CREATE FUNCTION spona_require_write(p_allowed boolean, p_category text, p_what text)
    RETURNS void LANGUAGE plpgsql AS
$$ BEGIN
    IF p_allowed IS NOT TRUE THEN
        RAISE EXCEPTION 'permission denied: the protocol does not let you write % (%)',
                        p_category, p_what USING ERRCODE = '42501';
    END IF;
END $$;

-- persons: each personal column written, by its category.
CREATE FUNCTION spona_persons_write_check() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    f record;
    new_row jsonb := to_jsonb(NEW);
    old_row jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    decided text[] := '{}';
BEGIN
    IF current_user <> 'spona_app' THEN
        RETURN NEW;
    END IF;
    FOR f IN SELECT column_name, category FROM person_field_categories LOOP
        CONTINUE WHEN f.category = ANY (decided);
        IF TG_OP = 'INSERT' THEN
            CONTINUE WHEN new_row -> f.column_name IS NULL
                       OR jsonb_typeof(new_row -> f.column_name) = 'null';
            -- the registering institution, as the lead of the intake
            PERFORM spona_require_write(
                spona_decide_subject(f.category, 'write', spona_caller_role(), true, true,
                                     false, false, false, false) IS NOT NULL,
                f.category, 'persons.' || f.column_name);
        ELSE
            CONTINUE WHEN new_row -> f.column_name IS NOT DISTINCT FROM old_row -> f.column_name;
            PERFORM spona_require_write(spona_decide_person(f.category, 'write', NEW.id),
                                        f.category, 'persons.' || f.column_name);
        END IF;
        decided := decided || f.category;
    END LOOP;
    RETURN NEW;
END
$$;

CREATE TRIGGER persons_write_check BEFORE INSERT OR UPDATE ON persons
    FOR EACH ROW EXECUTE FUNCTION spona_persons_write_check();

-- A person's household and benefits: benefits_household of the person.
CREATE FUNCTION spona_person_details_write_check() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    row_person uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.person_id ELSE NEW.person_id END;
BEGIN
    IF current_user = 'spona_app' THEN
        PERFORM spona_require_write(
            spona_decide_person('benefits_household', 'write', row_person),
            'benefits_household', TG_TABLE_NAME);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER person_household_write_check BEFORE INSERT OR UPDATE OR DELETE
    ON person_household FOR EACH ROW EXECUTE FUNCTION spona_person_details_write_check();
CREATE TRIGGER person_benefits_write_check BEFORE INSERT OR UPDATE OR DELETE
    ON person_benefits FOR EACH ROW EXECUTE FUNCTION spona_person_details_write_check();

-- A record of a case: the category in the trigger's argument, on the row's case (for a
-- row that names no case, the case of its plan or outcome).
CREATE FUNCTION spona_case_record_write_check() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    category text := TG_ARGV[0];
    record_case uuid;
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
    PERFORM spona_require_write(spona_decide(category, 'write', record_case), category,
                                TG_TABLE_NAME);
    RETURN NEW;
END
$$;

CREATE TRIGGER case_notes_write_check BEFORE INSERT OR UPDATE ON case_notes
    FOR EACH ROW EXECUTE FUNCTION spona_case_record_write_check('case_notes');
CREATE TRIGGER case_conferences_write_check BEFORE INSERT OR UPDATE ON case_conferences
    FOR EACH ROW EXECUTE FUNCTION spona_case_record_write_check('case_notes');
CREATE TRIGGER outcomes_write_check BEFORE INSERT OR UPDATE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION spona_case_record_write_check('outcomes');
CREATE TRIGGER outcome_follow_ups_write_check BEFORE INSERT OR UPDATE ON outcome_follow_ups
    FOR EACH ROW EXECUTE FUNCTION spona_case_record_write_check('outcomes');
CREATE TRIGGER plans_write_check BEFORE INSERT OR UPDATE ON plans
    FOR EACH ROW EXECUTE FUNCTION spona_case_record_write_check('plan_measures');
CREATE TRIGGER plan_goals_write_check BEFORE INSERT OR UPDATE ON plan_goals
    FOR EACH ROW EXECUTE FUNCTION spona_case_record_write_check('plan_measures');
CREATE TRIGGER plan_measures_write_check BEFORE INSERT OR UPDATE ON plan_measures
    FOR EACH ROW EXECUTE FUNCTION spona_case_record_write_check('plan_measures');
