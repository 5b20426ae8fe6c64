-- 060: the caseload's next due date stored on the case (docs/cases.md, "Caseload"),
-- so that case_list's overdue filter reads an index instead of computing every case's
-- due dates at request time. cases.next_due is what case_list showed as computed (sql
-- as in handlers_caseload.c before this migration): the earliest of
--   * the due date of an open referral of the case (status sent or accepted),
--   * the due date of an open measure (planned or in progress) of the case's current
--     plan (its highest version),
--   * the current plan's review date;
-- NULL when there is none. A case is overdue when next_due < current_date: exactly when
-- it has an overdue referral, an overdue measure or a passed review date.
--
-- Maintained by the database: triggers on referrals, plans and plan_measures recompute
-- the case's value in the writing transaction, whoever writes (the server, an admin
-- tool, the generators). The recomputation reads every row of the case, not only those
-- row-level security shows the writer (SECURITY DEFINER), and first locks the case's
-- row, so two transactions changing one case's records take turns and the later one
-- computes from what the earlier one committed. The triggers are deferred to the
-- commit: the case's row is then the last lock a transaction takes, so a writer holding
-- a referral's row (referral_accept) and one holding the case's (plan_change linking
-- that referral) cannot deadlock on each other. The case's version is not touched:
-- next_due is derived, not something a client edits or conflicts on.

ALTER TABLE cases ADD COLUMN next_due date;

-- The next due date of case p_case from its records, as the caseload defines it.
-- Not granted to spona_app (it reads every record of the case, visible or not).
CREATE FUNCTION spona_case_next_due(p_case uuid) RETURNS date
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT LEAST(
        (SELECT min(r.due_date) FROM referrals r
          WHERE r.case_id = p_case AND r.status IN ('sent', 'accepted')),
        (SELECT min(m.due_date) FROM plan_measures m
          WHERE m.plan_id = lp.id AND m.status IN ('planned', 'in_progress')),
        lp.review_date)
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (SELECT pl.id, pl.review_date FROM plans pl WHERE pl.case_id = p_case
                          ORDER BY pl.version DESC LIMIT 1) lp ON true
$$;
REVOKE ALL ON FUNCTION spona_case_next_due(uuid) FROM PUBLIC;

-- Recomputes and stores case p_case's next_due (nothing when p_case is NULL or gone).
CREATE FUNCTION spona_case_next_due_refresh(p_case uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    v_due date;
BEGIN
    IF p_case IS NULL THEN
        RETURN;
    END IF;
    -- the lock first: a concurrent writer of the same case commits before we read
    PERFORM 1 FROM cases WHERE id = p_case FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    v_due := spona_case_next_due(p_case);
    PERFORM set_config('spona.next_due_refresh', 'on', true);
    UPDATE cases SET next_due = v_due WHERE id = p_case AND next_due IS DISTINCT FROM v_due;
    PERFORM set_config('spona.next_due_refresh', 'off', true);
END
$$;
REVOKE ALL ON FUNCTION spona_case_next_due_refresh(uuid) FROM PUBLIC;

CREATE FUNCTION spona_referral_next_due() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM spona_case_next_due_refresh(OLD.case_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id) THEN
        PERFORM spona_case_next_due_refresh(NEW.case_id);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION spona_referral_next_due() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER referrals_next_due
    AFTER INSERT OR DELETE OR UPDATE OF case_id, status, due_date ON referrals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION spona_referral_next_due();

CREATE FUNCTION spona_plan_next_due() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM spona_case_next_due_refresh(OLD.case_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id) THEN
        PERFORM spona_case_next_due_refresh(NEW.case_id);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION spona_plan_next_due() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER plans_next_due
    AFTER INSERT OR DELETE OR UPDATE OF case_id, version, review_date ON plans
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION spona_plan_next_due();

CREATE FUNCTION spona_plan_measure_next_due() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM spona_case_next_due_refresh((SELECT pl.case_id FROM plans pl
                                              WHERE pl.id = OLD.plan_id));
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.plan_id IS DISTINCT FROM OLD.plan_id) THEN
        PERFORM spona_case_next_due_refresh((SELECT pl.case_id FROM plans pl
                                              WHERE pl.id = NEW.plan_id));
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION spona_plan_measure_next_due() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER plan_measures_next_due
    AFTER INSERT OR DELETE OR UPDATE OF plan_id, status, due_date ON plan_measures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION spona_plan_measure_next_due();

-- existing cases, in one statement per source (not one function call per case)
WITH latest AS (
    SELECT DISTINCT ON (pl.case_id) pl.case_id, pl.id, pl.review_date
      FROM plans pl ORDER BY pl.case_id, pl.version DESC),
dues AS (
    SELECT r.case_id, min(r.due_date) AS due FROM referrals r
     WHERE r.status IN ('sent', 'accepted') GROUP BY r.case_id
    UNION ALL
    SELECT l.case_id, min(m.due_date) FROM latest l JOIN plan_measures m ON m.plan_id = l.id
     WHERE m.status IN ('planned', 'in_progress') GROUP BY l.case_id
    UNION ALL
    SELECT l.case_id, l.review_date FROM latest l),
per_case AS (SELECT case_id, min(due) AS due FROM dues GROUP BY case_id)
UPDATE cases c SET next_due = p.due FROM per_case p WHERE p.case_id = c.id AND p.due IS NOT NULL;

-- The overdue filter (the cases of a municipality whose next due date has passed) and
-- the list by due date (earliest first, none last, then by id: case_list's by_due and
-- its cursor) read this one index; no due date sorts as infinity.
CREATE INDEX cases_due_order ON cases (municipality_id, COALESCE(next_due, 'infinity'::date), id);

-- Only the database sets next_due: an UPDATE that would change it outside
-- spona_case_next_due_refresh (a statement of the server, an operator's hand) is refused,
-- and a new case starts without one (it has no records yet; theirs set it).
-- spona_case_next_due_refresh(case) puts a case right by hand.
CREATE FUNCTION spona_case_next_due_guard() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.next_due := NULL;
    ELSIF NEW.next_due IS DISTINCT FROM OLD.next_due
          AND current_setting('spona.next_due_refresh', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'cases.next_due is kept by the database (sql/060)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_next_due_guard BEFORE INSERT OR UPDATE OF next_due ON cases
    FOR EACH ROW EXECUTE FUNCTION spona_case_next_due_guard();
