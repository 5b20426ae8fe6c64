-- 004: the audit trail. Append-only and hash-chained per municipality: a trigger
-- (running with the owner's rights) numbers each record, links it to the previous
-- record's hash and computes its own:
--   hash = sha256(prev_hash || convert_to(spona_audit_canonical(record), 'UTF8'))
-- The server's role may INSERT and SELECT, never UPDATE or DELETE, and a trigger
-- refuses UPDATE and DELETE for everyone. `spona audit verify` recomputes the chain
-- and reports the first record that was modified, deleted or reordered.

CREATE TABLE audit_log (
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    seq             bigint NOT NULL,
    at              timestamptz NOT NULL,
    user_id         uuid,
    institution_id  uuid,
    installation    text NOT NULL DEFAULT '',
    session_id      uuid,
    request_id      bigint NOT NULL DEFAULT 0,
    action          text NOT NULL,
    person_id       uuid,
    case_id         uuid,
    disclosed       text[] NOT NULL DEFAULT '{}',  -- categories disclosed or written
    denied          text[] NOT NULL DEFAULT '{}',  -- categories withheld or refused
    clauses         integer[] NOT NULL DEFAULT '{}',
    protocol_version integer,
    outcome         text NOT NULL,                 -- ok, denied, invalid, not_found, ...
    detail          text NOT NULL DEFAULT '',
    emergency       boolean NOT NULL DEFAULT false,
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL,
    PRIMARY KEY (municipality_id, seq)
);
CREATE INDEX audit_log_person ON audit_log (person_id, seq) WHERE person_id IS NOT NULL;

CREATE TABLE audit_head (
    municipality_id uuid PRIMARY KEY REFERENCES municipalities(id),
    seq             bigint NOT NULL,
    hash            bytea NOT NULL
);

-- The text a record's hash covers: every column but the hashes, in a fixed format.
CREATE FUNCTION spona_audit_canonical(a audit_log) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$
    SELECT concat_ws(E'\x1f',
        a.municipality_id::text, a.seq::text,
        to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(a.user_id::text, ''), coalesce(a.institution_id::text, ''),
        a.installation, coalesce(a.session_id::text, ''), a.request_id::text, a.action,
        coalesce(a.person_id::text, ''), coalesce(a.case_id::text, ''),
        array_to_string(a.disclosed, ','), array_to_string(a.denied, ','),
        array_to_string(a.clauses, ','), coalesce(a.protocol_version::text, ''),
        a.outcome, a.detail, a.emergency::text)
$$;

CREATE FUNCTION spona_audit_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    head audit_head%ROWTYPE;
BEGIN
    SELECT * INTO head FROM audit_head WHERE municipality_id = NEW.municipality_id FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_head (municipality_id, seq, hash)
             VALUES (NEW.municipality_id, 0, decode(repeat('00', 32), 'hex'))
        ON CONFLICT (municipality_id) DO NOTHING;
        SELECT * INTO head FROM audit_head WHERE municipality_id = NEW.municipality_id FOR UPDATE;
    END IF;
    NEW.seq := head.seq + 1;
    NEW.at := clock_timestamp();
    NEW.prev_hash := head.hash;
    NEW.hash := sha256(NEW.prev_hash || convert_to(spona_audit_canonical(NEW), 'UTF8'));
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash
     WHERE municipality_id = NEW.municipality_id;
    RETURN NEW;
END
$$;

CREATE FUNCTION spona_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION spona_audit_chain();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION spona_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION spona_audit_append_only();

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_municipality ON audit_log
    USING (municipality_id = spona_current_municipality())
    WITH CHECK (municipality_id = spona_current_municipality());

GRANT SELECT, INSERT ON audit_log TO spona_app;
GRANT SELECT ON audit_head TO spona_app;
GRANT EXECUTE ON FUNCTION spona_audit_canonical(audit_log) TO spona_app;
