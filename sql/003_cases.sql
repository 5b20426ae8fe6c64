-- 003: persons (beneficiaries), cases, case teams, referrals and consent, with
-- row-level security: the server's role (spona_app) sees only rows of cases on which
-- the acting institution is on the team, in its own municipality. The server sets
-- the acting identity per transaction:
--   SELECT set_config('spona.municipality_id', M, true),
--          set_config('spona.institution_id', I, true),
--          set_config('spona.user_id', U, true);
-- Without it every policy below admits nothing (deny by default).
--
-- Every column of persons belongs to exactly one data category; the map is
-- server/policy/fields.c, and a test fails when a column is missing from it.

CREATE FUNCTION spona_current_municipality() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('spona.municipality_id', true), '')::uuid $$;

CREATE FUNCTION spona_current_institution() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('spona.institution_id', true), '')::uuid $$;

CREATE FUNCTION spona_current_user() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('spona.user_id', true), '')::uuid $$;

CREATE TABLE persons (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id         uuid NOT NULL REFERENCES municipalities(id),
    version                 bigint NOT NULL DEFAULT 1,
    created_by_institution  uuid NOT NULL REFERENCES institutions(id),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    -- identity
    first_name              text NOT NULL,
    last_name               text NOT NULL,
    jmbg                    text CHECK (jmbg ~ '^[0-9]{13}$'),
    birth_date              date,
    sex                     text CHECK (sex IN ('F', 'M')),
    -- contact_address
    address                 text,
    phone                   text,
    email                   text,
    -- benefits_household
    benefit_status          text,
    household_size          integer CHECK (household_size BETWEEN 1 AND 50),
    rural                   boolean,
    -- education_work
    education_level         text,
    work_history            text,
    skills                  text,
    -- health_disability
    disability_status       text,
    work_capability         text,
    health_notes            text,
    -- safety
    safety_flag             boolean NOT NULL DEFAULT false,
    safety_notes            text,
    UNIQUE (municipality_id, jmbg)
);

CREATE TABLE cases (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id     uuid NOT NULL REFERENCES municipalities(id),
    person_id           uuid NOT NULL REFERENCES persons(id),
    lead_institution_id uuid NOT NULL REFERENCES institutions(id),
    lead_user_id        uuid NOT NULL REFERENCES users(id),
    stage               text NOT NULL DEFAULT 'intake',
    reason              text NOT NULL DEFAULT '',
    version             bigint NOT NULL DEFAULT 1,
    opened_at           timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz
);
CREATE INDEX cases_person ON cases (person_id);

-- The institutions working on a case: the lead, accepted referrals, emergency access.
CREATE TABLE case_team (
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    via             text NOT NULL CHECK (via IN ('lead', 'referral', 'emergency')),
    joined_at       timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,   -- emergency access only
    left_at         timestamptz,
    emergency_user  uuid REFERENCES users(id),
    emergency_reason text,
    PRIMARY KEY (case_id, institution_id)
);

CREATE TABLE referrals (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    case_id         uuid NOT NULL REFERENCES cases(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    measure         text NOT NULL,
    due_date        date,
    status          text NOT NULL DEFAULT 'sent'
                    CHECK (status IN ('sent', 'accepted', 'declined', 'completed')),
    created_by      uuid NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    responded_at    timestamptz,
    version         bigint NOT NULL DEFAULT 1
);
CREATE INDEX referrals_case ON referrals (case_id);

-- The lead excludes a named user (a relative of the perpetrator working at a partner,
-- say) or a whole institution from one case: they then see nothing of it.
CREATE TABLE case_exclusions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL REFERENCES cases(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    institution_id  uuid REFERENCES institutions(id),
    user_id         uuid REFERENCES users(id),
    reason          text NOT NULL,
    created_by      uuid NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (institution_id IS NOT NULL OR user_id IS NOT NULL)
);
CREATE INDEX case_exclusions_case ON case_exclusions (case_id);

-- Every break-glass access, kept for the coordinator's review (case_team holds only the
-- current membership).
CREATE TABLE emergency_accesses (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    case_id         uuid NOT NULL REFERENCES cases(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    user_id         uuid NOT NULL REFERENCES users(id),
    reason          text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    reviewed_at     timestamptz,
    reviewed_by     uuid REFERENCES users(id),
    review_note     text
);

-- One row per person × institution × category; withdrawal sets withdrawn_at.
CREATE TABLE consents (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    person_id       uuid NOT NULL REFERENCES persons(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    category        text NOT NULL,
    given_on        date NOT NULL,
    form_reference  text NOT NULL,
    expires_on      date,
    withdrawn_at    timestamptz,
    recorded_by     uuid NOT NULL REFERENCES users(id),
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_person ON consents (person_id, institution_id);

-- Row rules, evaluated with the owner's rights so that policies can look at team
-- tables without recursing into their own policies.
CREATE FUNCTION spona_case_visible(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT EXISTS (
        SELECT 1 FROM case_team t JOIN cases c ON c.id = t.case_id
         WHERE t.case_id = p_case
           AND c.municipality_id = spona_current_municipality()
           AND t.institution_id = spona_current_institution()
           AND t.left_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now())
           AND NOT EXISTS (SELECT 1 FROM case_exclusions x
                            WHERE x.case_id = p_case
                              AND (x.institution_id = spona_current_institution()
                                   OR x.user_id = spona_current_user())))
$$;

CREATE FUNCTION spona_person_visible(p_person uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT EXISTS (
        SELECT 1 FROM persons p
         WHERE p.id = p_person
           AND p.municipality_id = spona_current_municipality()
           AND (p.created_by_institution = spona_current_institution()
                OR EXISTS (SELECT 1 FROM cases c
                            WHERE c.person_id = p.id AND spona_case_visible(c.id))))
$$;

-- Whether an institution is excluded from a case (whole, or the acting user when it
-- is the acting institution). The lead sees this for any institution of its case.
CREATE FUNCTION spona_case_excluded(p_case uuid, p_institution uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM case_exclusions x
                   WHERE x.case_id = p_case
                     AND (x.institution_id = p_institution
                          OR (p_institution = spona_current_institution()
                              AND x.user_id = spona_current_user()))) $$;

-- Whether a case exists in the caller's municipality, visible or not: only for
-- break-glass access, whose caller is by definition not (yet) on the team.
CREATE FUNCTION spona_case_exists(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases WHERE id = p_case
                     AND municipality_id = spona_current_municipality()) $$;

-- A referral is visible to the institution it is addressed to (unless excluded from the
-- case), and to the team.
CREATE FUNCTION spona_referral_visible(p_case uuid, p_institution uuid) RETURNS boolean
    LANGUAGE sql STABLE AS
$$ SELECT (p_institution = spona_current_institution()
           AND NOT spona_case_excluded(p_case, p_institution))
          OR spona_case_visible(p_case) $$;

-- Whether the acting institution (or user) is excluded from any case of the person.
CREATE FUNCTION spona_person_excluded(p_person uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases c
                   WHERE c.person_id = p_person
                     AND spona_case_excluded(c.id, spona_current_institution())) $$;

ALTER TABLE persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_team ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_exclusions ENABLE ROW LEVEL SECURITY;
ALTER TABLE emergency_accesses ENABLE ROW LEVEL SECURITY;

-- (the created_by test is inline so that INSERT ... RETURNING sees the new row)
CREATE POLICY persons_team ON persons
    USING (municipality_id = spona_current_municipality()
           AND (created_by_institution = spona_current_institution()
                OR EXISTS (SELECT 1 FROM cases c
                            WHERE c.person_id = persons.id AND spona_case_visible(c.id))))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY cases_team ON cases
    USING (municipality_id = spona_current_municipality()
           AND (lead_institution_id = spona_current_institution() OR spona_case_visible(id)))
    WITH CHECK (municipality_id = spona_current_municipality()
                AND lead_institution_id = spona_current_institution());
CREATE POLICY case_team_team ON case_team
    USING (municipality_id = spona_current_municipality()
           AND ((institution_id = spona_current_institution()
                 AND NOT spona_case_excluded(case_id, institution_id))
                OR spona_case_visible(case_id)))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY referrals_team ON referrals
    USING (municipality_id = spona_current_municipality()
           AND spona_referral_visible(case_id, institution_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY consents_team ON consents
    USING (municipality_id = spona_current_municipality()
           AND ((institution_id = spona_current_institution()
                 AND NOT spona_person_excluded(person_id))
                OR spona_person_visible(person_id)))
    WITH CHECK (municipality_id = spona_current_municipality());

-- Exclusions are managed by the case's lead; nobody else needs to see them.
CREATE POLICY case_exclusions_lead ON case_exclusions
    USING (municipality_id = spona_current_municipality()
           AND EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id
                        AND c.lead_institution_id = spona_current_institution()))
    WITH CHECK (municipality_id = spona_current_municipality());

GRANT SELECT, INSERT, UPDATE ON persons, cases, case_team, referrals, consents TO spona_app;
GRANT SELECT, INSERT ON case_exclusions TO spona_app;

-- Reviewed by the coordinator (who sees no person, only the case id and the reason).
CREATE POLICY emergency_accesses_municipality ON emergency_accesses
    USING (municipality_id = spona_current_municipality())
    WITH CHECK (municipality_id = spona_current_municipality());
GRANT SELECT, INSERT, UPDATE (reviewed_at, reviewed_by, review_note) ON emergency_accesses
    TO spona_app;
GRANT EXECUTE ON FUNCTION spona_case_visible(uuid), spona_person_visible(uuid), spona_case_exists(uuid),
    spona_case_excluded(uuid, uuid), spona_person_excluded(uuid),
    spona_referral_visible(uuid, uuid), spona_current_municipality(),
    spona_current_institution(), spona_current_user() TO spona_app;
