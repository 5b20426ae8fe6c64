-- 005: what a person's record needs for the case workflow (issue 4): name search keys,
-- priority groups and work capability, household members and benefit periods.
-- Every new persons column is in server/policy/fields.c with its category.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE persons
    ADD COLUMN name_key        text NOT NULL DEFAULT '',   -- identity, derived (namekey.c): "last first"
    ADD COLUMN name_key_first  text NOT NULL DEFAULT '',   -- identity, derived: "first last"
    ADD COLUMN name_key_loose  text NOT NULL DEFAULT '',   -- identity, derived
    ADD COLUMN priority_groups text,                       -- safety: group codes of the protocol
    ADD COLUMN work_capable    boolean;                    -- health_disability

CREATE INDEX persons_name_key ON persons (municipality_id, name_key text_pattern_ops);
CREATE INDEX persons_name_key_first ON persons (municipality_id, name_key_first text_pattern_ops);
CREATE INDEX persons_name_key_loose ON persons USING gin (name_key_loose gin_trgm_ops);
CREATE INDEX persons_jmbg ON persons (jmbg);

-- Loose (typo-tolerant) search: the ids of the persons of the caller's municipality whose
-- loose key is word-similar to p_key (pg_trgm, word_similarity_threshold), best first, at
-- most p_limit. pg_trgm's operators are not leakproof, so under row-level security the
-- planner keeps them off the trigram index; this function runs as the owner so that the
-- index serves it, and returns ids only: the caller joins them to persons under row-level
-- security, which still decides what it sees (server/handlers/handlers_search.c).
CREATE FUNCTION spona_person_loose_candidates(p_key text, p_limit integer)
    RETURNS TABLE (person_id uuid, rank bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT p.id, row_number() OVER (ORDER BY word_similarity(p_key, p.name_key_loose) DESC,
                                             p.name_key, p.id)
      FROM persons p
     WHERE p.municipality_id = spona_current_municipality() AND p_key <% p.name_key_loose
     ORDER BY 2
     LIMIT least(greatest(p_limit, 0), 1000)
$$;
REVOKE ALL ON FUNCTION spona_person_loose_candidates(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_person_loose_candidates(text, integer) TO spona_app;

-- benefits_household
CREATE TABLE person_household (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id       uuid NOT NULL REFERENCES persons(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    name            text NOT NULL,
    relation        text NOT NULL CHECK (relation IN ('spouse', 'child', 'parent', 'sibling', 'other')),
    birth_year      integer CHECK (birth_year BETWEEN 1900 AND 2100)
);
CREATE INDEX person_household_person ON person_household (person_id);

-- benefits_household
CREATE TABLE person_benefits (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id       uuid NOT NULL REFERENCES persons(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    kind            text NOT NULL CHECK (kind IN ('cash_assistance', 'one_time_assistance',
                                                  'child_allowance', 'other')),
    since           date NOT NULL,
    until           date,
    amount          numeric(12, 2) CHECK (amount >= 0),
    note            text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_benefits_person ON person_benefits (person_id);

ALTER TABLE person_household ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_benefits ENABLE ROW LEVEL SECURITY;
CREATE POLICY person_household_team ON person_household
    USING (municipality_id = spona_current_municipality() AND spona_person_visible(person_id))
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY person_benefits_team ON person_benefits
    USING (municipality_id = spona_current_municipality() AND spona_person_visible(person_id))
    WITH CHECK (municipality_id = spona_current_municipality());
GRANT SELECT, INSERT, DELETE ON person_household TO spona_app;
GRANT SELECT, INSERT ON person_benefits TO spona_app;
