-- 057: audit records appended in batches (issue 12). The server's audit writer
-- (server/request/audit_writer.c) takes the records of many read requests and appends
-- them in one call and one commit, before any of those requests is answered:
--   * spona_audit_append_batch(records) runs as the owner. It checks that every record's
--     actor is a session row of that user at that institution of that municipality
--     (sessions, sql/001), then chains the records of each municipality on one lane
--     (taken as sql/035's trigger takes one: the lowest lane no other transaction holds),
--     computing seq, at, prev_hash and hash exactly as spona_audit_chain() does, and
--     inserts them in one statement and moves the lane's head once;
--   * the chain trigger now fires only for a row that arrives without a hash
--     (WHEN (NEW.hash = '')), so the batch's rows are not chained twice;
--   * spona_app may no longer name prev_hash, hash, seq, at or lane in an INSERT (column
--     privileges; prev_hash and hash default to ''): every row it inserts itself is
--     chained by the trigger as before, and only the owner's function can append rows
--     that arrive already chained.
-- spona_audit_verify() is unchanged: a batch's records are an exact part of their lane.

ALTER TABLE audit_log ALTER COLUMN prev_hash SET DEFAULT ''::bytea;
ALTER TABLE audit_log ALTER COLUMN hash SET DEFAULT ''::bytea;

REVOKE INSERT ON audit_log FROM spona_app;
GRANT INSERT (municipality_id, user_id, institution_id, installation, session_id, request_id,
              action, person_id, case_id, disclosed, denied, clauses, protocol_version,
              outcome, detail, emergency) ON audit_log TO spona_app;

DROP TRIGGER audit_log_chain ON audit_log;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW WHEN (NEW.hash = ''::bytea) EXECUTE FUNCTION spona_audit_chain();

-- Lane `head` of municipality m, held FOR UPDATE for the rest of the transaction, as the
-- trigger takes one (sql/035): the lowest not held by another transaction, or, when all
-- are, lane (backend pid mod lanes), waited for.
CREATE FUNCTION spona_audit_lane_take(m uuid) RETURNS audit_head
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    head audit_head%ROWTYPE;
BEGIN
    SELECT * INTO head FROM audit_head WHERE municipality_id = m
     ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM audit_head WHERE municipality_id = m) THEN
        PERFORM spona_audit_lanes_create(m);
        SELECT * INTO head FROM audit_head WHERE municipality_id = m
         ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED;
    END IF;
    IF NOT FOUND THEN
        SELECT * INTO head FROM audit_head
         WHERE municipality_id = m AND lane = pg_backend_pid() % spona_audit_lanes()
           FOR UPDATE;
    END IF;
    RETURN head;
END
$$;
REVOKE ALL ON FUNCTION spona_audit_lane_take(uuid) FROM PUBLIC;

-- Appends p_records (a JSON array of objects with the columns a caller may insert) in
-- array order, chained; the number appended. Refuses the whole batch (42501) when any
-- record's actor is not a session of its user at its institution in its municipality.
CREATE FUNCTION spona_audit_append_batch(p_records json) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    m uuid;
    head audit_head%ROWTYPE;
    r audit_log%ROWTYPE;
    x record;
    batch audit_log[];
    total integer := 0;
BEGIN
    IF EXISTS (SELECT 1 FROM json_to_recordset(p_records)
                      AS b(municipality_id uuid, user_id uuid, institution_id uuid,
                           session_id uuid)
                WHERE NOT EXISTS (SELECT 1 FROM sessions s
                                   WHERE s.id = b.session_id AND s.user_id = b.user_id
                                     AND s.institution_id = b.institution_id
                                     AND s.municipality_id = b.municipality_id)) THEN
        RAISE EXCEPTION 'an audit record of the batch names no session of its user'
            USING ERRCODE = '42501';
    END IF;
    FOR m IN SELECT DISTINCT b.municipality_id
               FROM json_to_recordset(p_records) AS b(municipality_id uuid) LOOP
        head := spona_audit_lane_take(m);
        batch := '{}';
        FOR x IN SELECT * FROM ROWS FROM (json_to_recordset(p_records)
                      AS (municipality_id uuid, user_id uuid, institution_id uuid,
                          installation text, session_id uuid, request_id bigint,
                          action text, person_id uuid, case_id uuid, disclosed text[],
                          denied text[], clauses int[], protocol_version int,
                          outcome text, detail text, emergency boolean)) WITH ORDINALITY
                      AS b(municipality_id, user_id, institution_id, installation,
                           session_id, request_id, action, person_id, case_id, disclosed,
                           denied, clauses, protocol_version, outcome, detail, emergency, n)
                  WHERE b.municipality_id = m ORDER BY b.n LOOP
            r := NULL;
            r.municipality_id := m;
            r.user_id := x.user_id;
            r.institution_id := x.institution_id;
            r.installation := coalesce(x.installation, '');
            r.session_id := x.session_id;
            r.request_id := coalesce(x.request_id, 0);
            r.action := x.action;
            r.person_id := x.person_id;
            r.case_id := x.case_id;
            r.disclosed := coalesce(x.disclosed, '{}');
            r.denied := coalesce(x.denied, '{}');
            r.clauses := coalesce(x.clauses, '{}');
            r.protocol_version := x.protocol_version;
            r.outcome := x.outcome;
            r.detail := coalesce(x.detail, '');
            r.emergency := coalesce(x.emergency, false);
            r.seq := nextval('audit_log_seq');
            r.lane := head.lane;
            r.at := clock_timestamp();
            r.prev_hash := head.hash;
            r.hash := sha256(r.prev_hash || convert_to(spona_audit_canonical(r), 'UTF8'));
            head.hash := r.hash;
            head.seq := r.seq;
            batch := batch || r;
        END LOOP;
        INSERT INTO audit_log SELECT * FROM unnest(batch);
        UPDATE audit_head SET seq = head.seq, hash = head.hash
         WHERE municipality_id = m AND lane = head.lane;
        total := total + cardinality(batch);
    END LOOP;
    RETURN total;
END
$$;
REVOKE ALL ON FUNCTION spona_audit_append_batch(json) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_audit_append_batch(json) TO spona_app;
