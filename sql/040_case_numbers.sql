-- 040: case numbers people can say (docs/cases.md, "Case numbers"). Every case gets a
-- number SHORT-YEAR-SEQ, e.g. PD-2026-0042: the municipality's short code, the year the
-- case was opened (Europe/Sarajevo time) and a sequence per municipality and year from
-- 1, at least four digits. Assigned by a trigger in the inserting transaction from a
-- counter row that the insert locks until it commits, so two concurrent case_open never
-- get the same number and a rolled-back open leaves no gap. Existing cases are numbered
-- here by the order they were opened.

-- The municipality's short code: one to six capital letters. Derived when not given: the
-- code's first letter and the consonant that begins its last syllable ("prijedor": P
-- and the d of "dor", PD; "tuzla": TL); else its first two letters. An operator may set
-- another (UPDATE municipalities SET short_code = ...): numbers given before keep theirs.
ALTER TABLE municipalities ADD COLUMN short_code text
    CHECK (short_code ~ '^[A-Z]{1,6}$');

CREATE FUNCTION spona_short_code_derive(p_code text) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$
    SELECT upper(left(regexp_replace(p_code, '[^a-z]', '', 'g'), 1)
                 || COALESCE(substring(regexp_replace(p_code, '[^a-z]', '', 'g')
                                       FROM '.([b-df-hj-np-tv-z])[aeiou]+[^aeiou]*$'),
                             substr(regexp_replace(p_code, '[^a-z]', '', 'g'), 2, 1)))
$$;

UPDATE municipalities SET short_code = spona_short_code_derive(code) WHERE short_code IS NULL;
UPDATE municipalities SET short_code = 'M' WHERE short_code IS NULL OR short_code = '';

CREATE FUNCTION spona_municipality_short_code() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF NEW.short_code IS NULL OR NEW.short_code = '' THEN
        NEW.short_code := COALESCE(NULLIF(spona_short_code_derive(NEW.code), ''), 'M');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER municipalities_short_code BEFORE INSERT ON municipalities
    FOR EACH ROW EXECUTE FUNCTION spona_municipality_short_code();
ALTER TABLE municipalities ALTER COLUMN short_code SET NOT NULL;

-- One row per municipality and year: the last sequence number given. spona_app may not
-- read or write it; the trigger (SECURITY DEFINER) does.
CREATE TABLE case_number_counters (
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    year            integer NOT NULL,
    last            integer NOT NULL,
    PRIMARY KEY (municipality_id, year)
);
REVOKE ALL ON case_number_counters FROM PUBLIC;

CREATE FUNCTION spona_case_number_format(p_short text, p_year integer, p_seq integer)
    RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT p_short || '-' || p_year::text || '-'
          || CASE WHEN p_seq < 10000 THEN lpad(p_seq::text, 4, '0') ELSE p_seq::text END $$;

ALTER TABLE cases ADD COLUMN number text;

-- existing cases, numbered by the order they were opened
WITH numbered AS (
    SELECT c.id, m.short_code,
           extract(year FROM c.opened_at AT TIME ZONE 'Europe/Sarajevo')::integer AS year,
           row_number() OVER (PARTITION BY c.municipality_id,
                                  extract(year FROM c.opened_at AT TIME ZONE 'Europe/Sarajevo')
                              ORDER BY c.opened_at, c.id)::integer AS seq
      FROM cases c JOIN municipalities m ON m.id = c.municipality_id)
UPDATE cases c SET number = spona_case_number_format(n.short_code, n.year, n.seq)
  FROM numbered n WHERE n.id = c.id;

INSERT INTO case_number_counters (municipality_id, year, last)
SELECT c.municipality_id, extract(year FROM c.opened_at AT TIME ZONE 'Europe/Sarajevo')::integer,
       count(*)::integer
  FROM cases c
 GROUP BY 1, 2;

CREATE FUNCTION spona_case_number_assign() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    v_year integer := extract(year FROM NEW.opened_at AT TIME ZONE 'Europe/Sarajevo')::integer;
    v_seq integer;
    v_short text;
BEGIN
    -- the upsert locks the counter row until this transaction ends: concurrent opens in
    -- one municipality and year take turns here, and each gets the next number
    INSERT INTO case_number_counters AS k (municipality_id, year, last)
    VALUES (NEW.municipality_id, v_year, 1)
    ON CONFLICT (municipality_id, year) DO UPDATE SET last = k.last + 1
    RETURNING k.last INTO v_seq;
    SELECT m.short_code INTO v_short FROM municipalities m WHERE m.id = NEW.municipality_id;
    NEW.number := spona_case_number_format(v_short, v_year, v_seq);
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION spona_case_number_assign() FROM PUBLIC;
CREATE TRIGGER cases_number BEFORE INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION spona_case_number_assign();

ALTER TABLE cases ALTER COLUMN number SET NOT NULL;
ALTER TABLE cases ADD CONSTRAINT cases_number_unique UNIQUE (municipality_id, number);

-- The case with this number in the caller's municipality, visible to the caller or not:
-- the request pipeline turns a number into the id it stands for before the subject's
-- gates (row-level security, exclusions, the policy) decide, as for an id. Break-glass
-- access names a case the caller is not yet on the team of. NULL: no such number.
CREATE FUNCTION spona_case_by_number(p_number text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT c.id FROM cases c
    WHERE c.municipality_id = spona_current_municipality() AND c.number = upper(p_number) $$;
REVOKE ALL ON FUNCTION spona_case_by_number(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_case_by_number(text) TO spona_app;
