-- 032: the last writes by category, and a plan's texts only to its readers (issue 10;
-- docs/access.md, "Writes by category", "Columns by category").
--
-- Assessments. sql/027 left them out: a domain's category was the server's alone. Since
-- sql/029 the database holds the domains' categories (assessment_domain_categories), so
-- triggers now refuse, for the server's role, a domain row (its rating and notes) whose
-- category the caller may not write on the assessment's case, a domain that has no
-- category, and an assessment's strengths (plan_measures, the server's
-- CASE_STRENGTHS_CATEGORY) written by a caller that may not write plan_measures; as the
-- server decides an assessment (server/handlers/handlers_assessment.c).
--
-- The plan. Every change stores a whole new version; sql/030 gave the texts (goals,
-- measures, obligations) to a writer of plan_measures as well as to a reader, because a
-- partner that sets its measure's status copied the version it read. Now the copy is
-- spona_plan_copy, SECURITY DEFINER: it checks the caller's write right, copies the
-- latest version with the statuses changed, and answers nothing; so the views give the
-- texts to readers of plan_measures only. A partner that may write its measures' status
-- but not read the plan (a write-only clause) gets no text by SQL.

-- ---------------------------------------------------------------------------------
-- Assessments: each domain by its category, strengths as plan_measures
-- ---------------------------------------------------------------------------------

-- A domain row: the write decision on its category for the assessment's case.
CREATE FUNCTION spona_assessment_domain_write_check() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_case uuid;
    v_category text;
BEGIN
    IF current_user <> 'spona_app' THEN
        RETURN NEW;
    END IF;
    SELECT a.case_id INTO v_case FROM assessments a WHERE a.id = NEW.assessment_id;
    SELECT c.category INTO v_category FROM assessment_domain_categories c
     WHERE c.domain = NEW.domain;
    IF v_category IS NULL THEN
        RAISE EXCEPTION 'permission denied: the protocol does not let you write domain % (no category)',
                        NEW.domain USING ERRCODE = '42501';
    END IF;
    PERFORM spona_require_write(spona_decide(v_category, 'write', v_case), v_category,
                                'assessment_domains.' || NEW.domain);
    RETURN NEW;
END
$$;

CREATE TRIGGER assessment_domains_write_check BEFORE INSERT OR UPDATE ON assessment_domains
    FOR EACH ROW EXECUTE FUNCTION spona_assessment_domain_write_check();

-- An assessment's strengths (plan_measures), when given or changed.
CREATE FUNCTION spona_assessment_write_check() RETURNS trigger
    LANGUAGE plpgsql AS
$$ BEGIN
    IF current_user = 'spona_app' AND NEW.strengths <> ''
       AND (TG_OP = 'INSERT' OR NEW.strengths IS DISTINCT FROM OLD.strengths) THEN
        PERFORM spona_require_write(spona_decide('plan_measures', 'write', NEW.case_id),
                                    'plan_measures', 'assessments.strengths');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER assessments_write_check BEFORE INSERT OR UPDATE ON assessments
    FOR EACH ROW EXECUTE FUNCTION spona_assessment_write_check();

-- ---------------------------------------------------------------------------------
-- The plan: texts to readers; a status change copies the version in the database
-- ---------------------------------------------------------------------------------

-- Whether the caller may read plan_measures of case p_case (the plan's texts).
CREATE OR REPLACE FUNCTION spona_plan_text_readable(p_case uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE AS
$$ BEGIN
    RETURN spona_decide_clause('plan_measures', 'read', p_case) IS NOT NULL;
END $$;

-- Stores version p_from + 1 of case p_case's plan as a copy of version p_from (the latest),
-- its goals' and measures' statuses set as the arrays say (number i gets status i), by
-- the acting user. Only for a caller that may write the case (its lead or a
-- non-emergency team member, excluded from nothing of the person: spona_case_writable)
-- and write plan_measures there (the stored decision table); a caller that does not lead
-- the case sets only the status of measures it is responsible for. Answers nothing: the
-- texts stay in the database (server/handlers/handlers_plan.c, plan_copy).
CREATE FUNCTION spona_plan_copy(p_case uuid, p_from integer, p_goal_numbers integer[],
                                p_goal_statuses text[], p_measure_numbers integer[],
                                p_measure_statuses text[])
    RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    v_from uuid;
    v_new uuid;
    v_me uuid := spona_current_institution();
BEGIN
    IF spona_current_user() IS NULL OR NOT spona_case_writable(p_case)
       OR NOT spona_decide('plan_measures', 'write', p_case) THEN
        RAISE EXCEPTION 'permission denied: the protocol does not let you write plan_measures (plans)'
              USING ERRCODE = '42501';
    END IF;
    IF coalesce(cardinality(p_goal_numbers), 0) <> coalesce(cardinality(p_goal_statuses), 0)
       OR coalesce(cardinality(p_measure_numbers), 0)
          <> coalesce(cardinality(p_measure_statuses), 0) THEN
        RAISE EXCEPTION 'spona_plan_copy: a status for each number' USING ERRCODE = '22023';
    END IF;
    IF NOT spona_case_led(p_case) AND (coalesce(cardinality(p_goal_numbers), 0) > 0
       OR EXISTS (SELECT 1 FROM plans p JOIN plan_measures m ON m.plan_id = p.id
                   WHERE p.case_id = p_case AND p.version = p_from
                     AND m.number = ANY (p_measure_numbers)
                     AND m.responsible_institution_id IS DISTINCT FROM v_me)) THEN
        RAISE EXCEPTION 'permission denied: a partner sets only the status of its own measures'
              USING ERRCODE = '42501';
    END IF;
    SELECT p.id INTO v_from FROM plans p
     WHERE p.case_id = p_case AND p.version = p_from
       AND NOT EXISTS (SELECT 1 FROM plans q WHERE q.case_id = p_case AND q.version > p_from);
    IF v_from IS NULL THEN
        RAISE EXCEPTION 'spona_plan_copy: version % is not the latest plan of the case', p_from
              USING ERRCODE = '40001';
    END IF;
    IF EXISTS (SELECT unnest(p_goal_numbers)
               EXCEPT SELECT number FROM plan_goals WHERE plan_id = v_from)
       OR EXISTS (SELECT unnest(p_measure_numbers)
                  EXCEPT SELECT number FROM plan_measures WHERE plan_id = v_from) THEN
        RAISE EXCEPTION 'spona_plan_copy: no such goal or measure' USING ERRCODE = '22023';
    END IF;
    INSERT INTO plans (case_id, municipality_id, version, review_date, obligations, created_by)
    SELECT p.case_id, p.municipality_id, p.version + 1, p.review_date, p.obligations,
           spona_current_user()
      FROM plans p WHERE p.id = v_from
    RETURNING id INTO v_new;
    INSERT INTO plan_goals (plan_id, municipality_id, number, text, target_date, status)
    SELECT v_new, g.municipality_id, g.number, g.text, g.target_date,
           coalesce((SELECT s.status FROM unnest(p_goal_numbers, p_goal_statuses)
                                          AS s (number, status)
                      WHERE s.number = g.number LIMIT 1), g.status)
      FROM plan_goals g WHERE g.plan_id = v_from;
    INSERT INTO plan_measures (plan_id, municipality_id, number, kind, description,
                               responsible_institution_id, due_date, status)
    SELECT v_new, m.municipality_id, m.number, m.kind, m.description,
           m.responsible_institution_id, m.due_date,
           coalesce((SELECT s.status FROM unnest(p_measure_numbers, p_measure_statuses)
                                          AS s (number, status)
                      WHERE s.number = m.number LIMIT 1), m.status)
      FROM plan_measures m WHERE m.plan_id = v_from;
END
$$;
REVOKE ALL ON FUNCTION spona_plan_copy(uuid, integer, integer[], text[], integer[], text[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_plan_copy(uuid, integer, integer[], text[], integer[], text[])
    TO spona_app;
