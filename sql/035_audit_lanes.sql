-- 035: the audit trail in lanes (issue 12). Until now every audited transaction of a
-- municipality locked its one chain head (audit_head) from its audit insert to its
-- commit, so audited requests of a municipality ran one at a time through that window.
-- Now a municipality has several lanes (spona_audit_lanes(), 8), each its own exact hash
-- chain with its own head row:
--   * the insert's trigger takes the lowest lane no other transaction holds
--     (FOR UPDATE SKIP LOCKED; its own lock does not make it skip, so a transaction
--     that holds a lane never waits); only a transaction that holds none waits when
--     every lane is held, on one lane;
--   * a record's seq comes from one sequence: unique and increasing within a
--     municipality and within each lane, no longer gapless (the lane's links, not the
--     numbers, prove that nothing is missing);
--   * hash = sha256(prev_hash || canonical text), as before, and the canonical text is
--     unchanged (it covers seq, not the lane: a record moved to another lane breaks the
--     links of both lanes). prev_hash is the hash of the lane's previous record, or the
--     lane's genesis: 32 zero bytes for lane 0 (the single chain so far, whose records
--     all become lane 0 and verify as before) and sha256 of the municipality and lane
--     number for the others, so that lanes cannot be swapped;
--   * nothing is weaker: the record is inserted in the request's own transaction and
--     the answer still waits for its COMMIT.
-- spona_audit_verify() walks every lane and checks each record's link and hash and each
-- lane's end against its head; its head_hash is sha256 of the lane heads' hashes in lane
-- order (one value to write down and compare later).

CREATE SEQUENCE audit_log_seq;
SELECT setval('audit_log_seq', coalesce((SELECT max(seq) FROM audit_log), 0) + 1, false);

ALTER TABLE audit_log ADD COLUMN lane smallint NOT NULL DEFAULT 0;

ALTER TABLE audit_head DROP CONSTRAINT audit_head_pkey;
ALTER TABLE audit_head ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD PRIMARY KEY (municipality_id, lane);

CREATE FUNCTION spona_audit_lanes() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 8 $$;

-- Where lane `lane` of municipality m starts: the hash its first record links to.
CREATE FUNCTION spona_audit_lane_genesis(m uuid, lane integer) RETURNS bytea
    LANGUAGE sql IMMUTABLE AS
$$
    SELECT CASE WHEN lane = 0 THEN decode(repeat('00', 32), 'hex')
                ELSE sha256(convert_to(format('spona audit lane %s %s', m, lane), 'UTF8')) END
$$;

-- Every lane of municipality m that does not exist yet, at its genesis.
CREATE FUNCTION spona_audit_lanes_create(m uuid) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public AS
$$
    INSERT INTO audit_head (municipality_id, lane, seq, hash)
    SELECT m, l, 0, spona_audit_lane_genesis(m, l)
      FROM generate_series(0, spona_audit_lanes() - 1) l
    ON CONFLICT (municipality_id, lane) DO NOTHING
$$;
REVOKE ALL ON FUNCTION spona_audit_lanes_create(uuid) FROM PUBLIC;

SELECT spona_audit_lanes_create(id) FROM municipalities;

CREATE OR REPLACE FUNCTION spona_audit_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    head audit_head%ROWTYPE;
BEGIN
    SELECT * INTO head FROM audit_head
     WHERE municipality_id = NEW.municipality_id
     ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM audit_head
                                  WHERE municipality_id = NEW.municipality_id) THEN
        PERFORM spona_audit_lanes_create(NEW.municipality_id);  -- a new municipality
        SELECT * INTO head FROM audit_head
         WHERE municipality_id = NEW.municipality_id
         ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED;
    END IF;
    IF NOT FOUND THEN
        -- every lane is held by another transaction: wait for one
        SELECT * INTO head FROM audit_head
         WHERE municipality_id = NEW.municipality_id
           AND lane = pg_backend_pid() % spona_audit_lanes()
           FOR UPDATE;
    END IF;
    NEW.seq := nextval('audit_log_seq');
    NEW.lane := head.lane;
    NEW.at := clock_timestamp();
    NEW.prev_hash := head.hash;
    NEW.hash := sha256(NEW.prev_hash || convert_to(spona_audit_canonical(NEW), 'UTF8'));
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash
     WHERE municipality_id = NEW.municipality_id AND lane = head.lane;
    RETURN NEW;
END
$$;

-- The chain check (audit_verify; docs/access.md, docs/operations.md): every lane of the
-- acting municipality in one pass, record by record (does it link to the lane's previous
-- record, is its hash its own), then each lane's newest record against its head. Answers the verdict only, as
-- sql/017's did: records examined, the first bad record's seq (0 when intact; the lowest
-- lane's problem first) and why, and the combined head hash. For the coordinator and
-- the lead agency.
CREATE OR REPLACE FUNCTION spona_audit_verify()
    RETURNS TABLE (records bigint, bad_seq bigint, problem text, head_hash text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    m uuid := spona_current_municipality();
    h record;
    r record;
    last_seq bigint;
BEGIN
    IF m IS NULL OR coalesce(spona_current_role(), '') NOT IN ('coordinator', 'lead_agency') THEN
        RAISE EXCEPTION 'permission denied for the audit chain' USING ERRCODE = '42501';
    END IF;
    records := 0; bad_seq := 0; problem := '';
    SELECT coalesce(encode(sha256(string_agg(a.hash, ''::bytea ORDER BY a.lane)), 'hex'), '')
      INTO head_hash FROM audit_head a WHERE a.municipality_id = m;
    -- a record in a lane without a head (the head deleted, or the record moved out)
    SELECT a.seq INTO last_seq FROM audit_log a
     WHERE a.municipality_id = m
       AND NOT EXISTS (SELECT 1 FROM audit_head x WHERE x.municipality_id = m AND x.lane = a.lane)
     ORDER BY a.seq LIMIT 1;
    IF FOUND THEN
        bad_seq := last_seq;
        problem := format('record %s lies in a lane that has no head (audit_head)', last_seq);
        RETURN NEXT;
        RETURN;
    END IF;
    -- one pass over the trail in lane order: each record against its lane's previous one
    FOR r IN SELECT a.lane, a.seq, lag(a.seq) OVER w AS prev_seq,
                    a.prev_hash = coalesce(lag(a.hash) OVER w,
                                           spona_audit_lane_genesis(m, a.lane)) AS linked,
                    a.hash = sha256(a.prev_hash || convert_to(spona_audit_canonical(a), 'UTF8'))
                        AS own
               FROM audit_log a
              WHERE a.municipality_id = m
             WINDOW w AS (PARTITION BY a.lane ORDER BY a.seq)
              ORDER BY a.lane, a.seq LOOP
        records := records + 1;
        IF NOT r.linked THEN
            problem := CASE WHEN r.prev_seq IS NULL
                THEN format('record %s does not start lane %s (reordered, moved, or a record '
                            'before it was removed)', r.seq, r.lane)
                ELSE format('record %s does not follow record %s in lane %s (reordered, '
                            'moved, or a record between them was removed)', r.seq, r.prev_seq,
                            r.lane) END;
        ELSIF NOT r.own THEN
            problem := format('record %s was modified', r.seq);
        END IF;
        IF problem <> '' THEN
            bad_seq := r.seq;
            RETURN NEXT;
            RETURN;
        END IF;
    END LOOP;
    -- each lane's newest record against its head
    FOR h IN SELECT a.lane, a.seq, a.hash, l.seq AS last_seq,
                    coalesce(l.hash, spona_audit_lane_genesis(m, a.lane)) AS last_hash
               FROM audit_head a
               LEFT JOIN LATERAL (SELECT x.seq, x.hash FROM audit_log x
                                   WHERE x.municipality_id = m AND x.lane = a.lane
                                   ORDER BY x.seq DESC LIMIT 1) l ON true
              WHERE a.municipality_id = m
              ORDER BY a.lane LOOP
        last_seq := coalesce(h.last_seq, 0);
        IF last_seq < h.seq THEN
            bad_seq := h.seq;
            problem := format('the newest records of lane %s were removed (the lane ends at '
                              'record %s, its head is record %s)', h.lane, last_seq, h.seq);
        ELSIF last_seq > h.seq THEN
            bad_seq := last_seq;
            problem := format('record %s lies beyond lane %s''s head (record %s)', last_seq,
                              h.lane, h.seq);
        ELSIF h.hash <> h.last_hash THEN
            bad_seq := last_seq;
            problem := format('record %s was modified (it does not match lane %s''s head)',
                              last_seq, h.lane);
        END IF;
        IF problem <> '' THEN
            RETURN NEXT;
            RETURN;
        END IF;
    END LOOP;
    RETURN NEXT;
END
$$;
