-- 006: the records of a case (issue 4, docs/cases.md): stage history, needs
-- assessments, activation plan versions, referral answers, conferences, notes,
-- outcomes and follow-ups. Row-level security as for cases: rows of cases on which the
-- acting institution is on the team; notes and outcomes also to the institution that
-- wrote them after it left the team.

ALTER TABLE cases ADD CONSTRAINT cases_stage_check
    CHECK (stage IN ('intake', 'assessment', 'planning', 'implementation', 'review', 'closed'));
ALTER TABLE cases ADD COLUMN close_reason text;
ALTER TABLE referrals ADD COLUMN decline_reason text, ADD COLUMN result text;
-- Each answer keeps its time; responded_at stays the time of the latest answer.
-- accepted_by: who accepted; answered_by: who gave the latest answer (the decline or
-- completion; the acceptance while nothing followed it).
ALTER TABLE referrals ADD COLUMN accepted_at timestamptz, ADD COLUMN declined_at timestamptz,
    ADD COLUMN completed_at timestamptz, ADD COLUMN accepted_by uuid REFERENCES users(id),
    ADD COLUMN answered_by uuid REFERENCES users(id);

CREATE TABLE case_stage_changes (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    from_stage      text NOT NULL,
    to_stage        text NOT NULL,
    reason          text NOT NULL DEFAULT '',
    changed_by      uuid NOT NULL REFERENCES users(id),
    changed_at      timestamptz NOT NULL DEFAULT now()
);

-- Domain rows carry their own data category (server side map, docs/cases.md).
CREATE TABLE assessments (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    version         integer NOT NULL,
    assessed_on     date NOT NULL,
    assessor        uuid NOT NULL REFERENCES users(id),
    strengths       text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, version)
);

CREATE TABLE assessment_domains (
    assessment_id   uuid NOT NULL REFERENCES assessments(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    domain          text NOT NULL,
    rating          integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    notes           text NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, domain)
);

-- plan_measures: every change stores a whole new version.
CREATE TABLE plans (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    version         integer NOT NULL,
    review_date     date,
    obligations     text NOT NULL DEFAULT '',
    created_by      uuid NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, version)
);

CREATE TABLE plan_goals (
    plan_id         uuid NOT NULL REFERENCES plans(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    number          integer NOT NULL,
    text            text NOT NULL,
    target_date     date,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'achieved', 'dropped')),
    PRIMARY KEY (plan_id, number)
);

CREATE TABLE plan_measures (
    plan_id         uuid NOT NULL REFERENCES plans(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    number          integer NOT NULL,
    kind            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    responsible_institution_id uuid REFERENCES institutions(id),
    due_date        date,
    status          text NOT NULL DEFAULT 'planned'
                    CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    PRIMARY KEY (plan_id, number)
);

-- case_notes category
CREATE TABLE case_conferences (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    held_on         date NOT NULL,
    institution_codes text[] NOT NULL DEFAULT '{}',
    usernames       text[] NOT NULL DEFAULT '{}',
    decisions       text NOT NULL DEFAULT '',
    next_steps      text NOT NULL DEFAULT '',
    created_by      uuid NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 1
);

-- case_notes category; append-only
CREATE TABLE case_notes (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    author          uuid NOT NULL REFERENCES users(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    text            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- outcomes category
CREATE TABLE outcomes (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    kind            text NOT NULL CHECK (kind IN ('employed', 'in_training', 'training_completed',
                                                  'self_employed', 'left_benefits', 'dropped_out')),
    occurred_on     date NOT NULL,
    employer        text NOT NULL DEFAULT '',
    contract_type   text NOT NULL DEFAULT '',
    pathway         text NOT NULL DEFAULT '' CHECK (pathway IN ('', 'integrated_case_management',
                                                   'social_entrepreneurship', 'other')),
    certificate     text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT '',
    recorded_by     uuid NOT NULL REFERENCES users(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outcome_follow_ups (
    outcome_id      uuid NOT NULL REFERENCES outcomes(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    months          integer NOT NULL CHECK (months IN (3, 6, 12)),
    checked_on      date NOT NULL,
    still_employed  boolean NOT NULL,
    note            text NOT NULL DEFAULT '',
    recorded_by     uuid NOT NULL REFERENCES users(id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outcome_id, months)
);

CREATE INDEX case_stage_changes_case ON case_stage_changes (case_id);
CREATE INDEX assessments_case ON assessments (case_id);
CREATE INDEX plans_case ON plans (case_id);
CREATE INDEX case_conferences_case ON case_conferences (case_id);
CREATE INDEX case_notes_case ON case_notes (case_id);
CREATE INDEX outcomes_case ON outcomes (case_id);

-- A record of a case is visible to the team; one an institution wrote stays visible to it.
CREATE FUNCTION spona_case_record_visible(p_case uuid, p_writer uuid) RETURNS boolean
    LANGUAGE sql STABLE AS
$$ SELECT spona_case_visible(p_case) OR p_writer = spona_current_institution() $$;

CREATE FUNCTION spona_plan_visible(p_plan uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM plans p WHERE p.id = p_plan AND spona_case_visible(p.case_id)) $$;

CREATE FUNCTION spona_assessment_visible(p_assessment uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM assessments a
                   WHERE a.id = p_assessment AND spona_case_visible(a.case_id)) $$;

CREATE FUNCTION spona_outcome_visible(p_outcome uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM outcomes o WHERE o.id = p_outcome
                     AND spona_case_record_visible(o.case_id, o.institution_id)) $$;

-- Overdue referrals per institution for the coordinator, who sees no case: counts only.
CREATE FUNCTION spona_overdue_counts() RETURNS TABLE (institution_code text, overdue bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT i.code, count(*)
      FROM referrals r JOIN institutions i ON i.id = r.institution_id
     WHERE r.municipality_id = spona_current_municipality()
       AND r.status IN ('sent', 'accepted') AND r.due_date < current_date
     GROUP BY i.code ORDER BY i.code
$$;

ALTER TABLE case_stage_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE assessment_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_goals ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_measures ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_conferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE outcomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE outcome_follow_ups ENABLE ROW LEVEL SECURITY;

CREATE POLICY case_stage_changes_team ON case_stage_changes
    USING (municipality_id = spona_current_municipality() AND spona_case_visible(case_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY assessments_team ON assessments
    USING (municipality_id = spona_current_municipality() AND spona_case_visible(case_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY assessment_domains_team ON assessment_domains
    USING (municipality_id = spona_current_municipality()
           AND spona_assessment_visible(assessment_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY plans_team ON plans
    USING (municipality_id = spona_current_municipality() AND spona_case_visible(case_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY plan_goals_team ON plan_goals
    USING (municipality_id = spona_current_municipality() AND spona_plan_visible(plan_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY plan_measures_team ON plan_measures
    USING (municipality_id = spona_current_municipality() AND spona_plan_visible(plan_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY case_conferences_team ON case_conferences
    USING (municipality_id = spona_current_municipality() AND spona_case_visible(case_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY case_notes_team ON case_notes
    USING (municipality_id = spona_current_municipality()
           AND spona_case_record_visible(case_id, institution_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY outcomes_team ON outcomes
    USING (municipality_id = spona_current_municipality()
           AND spona_case_record_visible(case_id, institution_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY outcome_follow_ups_team ON outcome_follow_ups
    USING (municipality_id = spona_current_municipality() AND spona_outcome_visible(outcome_id))
    WITH CHECK (municipality_id = spona_current_municipality());

GRANT SELECT, INSERT ON case_stage_changes, assessments, assessment_domains, plans, plan_goals,
    plan_measures, case_conferences, case_notes, outcomes, outcome_follow_ups TO spona_app;
GRANT UPDATE ON case_conferences, outcomes, outcome_follow_ups TO spona_app;
GRANT EXECUTE ON FUNCTION spona_case_record_visible(uuid, uuid), spona_plan_visible(uuid),
    spona_assessment_visible(uuid), spona_outcome_visible(uuid), spona_overdue_counts()
    TO spona_app;
