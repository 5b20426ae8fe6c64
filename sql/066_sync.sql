-- 066: the nightly sync at the municipality (docs/region.md, "Streams", "Batches", "The
-- agent"): what spona-sync keeps in the municipal database. Rows are per municipality
-- code (the region's name for it, answered by SyncHello), so one database serving
-- several municipalities runs one agent per municipality.
--   * sync_watermarks: per stream, down: the last batch applied here; up: the last batch
--     produced into the outbox;
--   * sync_received: every down batch exactly as received (the proof of what the region
--     sent), applied in one transaction with its watermark;
--   * sync_outbox: every up batch as produced and signed, acknowledged by the region
--     (acked_at) or not yet;
--   * sync_crl: the CRL as applied (the file the municipal server reads is written from
--     it after the commit);
--   * sync_audit_reported: per audit-chain lane, the last record put in the outbox, so
--     the next report carries the links after it;
--   * sync_runs: each run's reconciliation report, as text and as the SyncStatus the
--     next run sends up (the sync_status stream's source).

CREATE TABLE sync_watermarks (
    municipality text NOT NULL,
    stream       text NOT NULL CHECK (stream ~ '^[a-z_]{2,40}$'),
    direction    text NOT NULL CHECK (direction IN ('up', 'down')),
    seq          bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality, stream)
);

CREATE TABLE sync_received (
    municipality   text NOT NULL,
    stream         text NOT NULL,
    seq            bigint NOT NULL CHECK (seq > 0),
    payload        bytea NOT NULL,
    payload_sha256 bytea NOT NULL CHECK (length(payload_sha256) = 32),
    signer_serial  text NOT NULL,
    signature      bytea NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality, stream, seq)
);

CREATE TABLE sync_outbox (
    municipality   text NOT NULL,
    stream         text NOT NULL,
    seq            bigint NOT NULL CHECK (seq > 0),
    payload        bytea NOT NULL,
    payload_sha256 bytea NOT NULL CHECK (length(payload_sha256) = 32),
    signer_serial  text NOT NULL,
    signature      bytea NOT NULL,
    produced_at    timestamptz NOT NULL DEFAULT now(),
    acked_at       timestamptz,
    PRIMARY KEY (municipality, stream, seq)
);
CREATE INDEX sync_outbox_unacked ON sync_outbox (municipality, stream, seq) WHERE acked_at IS NULL;

CREATE TABLE sync_crl (
    municipality text PRIMARY KEY,
    number       bigint NOT NULL CHECK (number > 0),
    pem          text NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync_audit_reported (
    municipality text NOT NULL,
    lane         smallint NOT NULL,
    count        bigint NOT NULL DEFAULT 0,
    last_seq     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (municipality, lane)
);

CREATE TABLE sync_runs (
    id           bigserial PRIMARY KEY,
    municipality text NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL DEFAULT now(),
    exit_code    integer NOT NULL,
    attempts     integer NOT NULL,
    report       text NOT NULL,
    status       bytea NOT NULL,   -- the run's SyncStatus, serialized: the next run sends it
    sent_seq     bigint            -- the sync_status batch that carried it
);
CREATE INDEX sync_runs_unsent ON sync_runs (municipality, id) WHERE sent_seq IS NULL;

-- The agent's own check of the audit chain of municipality m (the verification of
-- spona_audit_verify(), sql/035, without its session gate): per lane, does every record
-- link to the lane's previous one (the first to the lane's genesis), is its hash its own,
-- does the lane end at its head. The first bad record's seq, 0 when intact.
CREATE FUNCTION spona_sync_audit_check(m uuid) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    r record;
    bad bigint;
BEGIN
    SELECT min(x.seq) INTO bad FROM (
        SELECT a.seq, a.prev_hash, a.hash,
               lag(a.hash) OVER (PARTITION BY a.lane ORDER BY a.seq) AS before,
               spona_audit_lane_genesis(m, a.lane) AS genesis,
               sha256(a.prev_hash || convert_to(spona_audit_canonical(a), 'UTF8')) AS own
          FROM audit_log a WHERE a.municipality_id = m) x
     WHERE x.prev_hash <> coalesce(x.before, x.genesis) OR x.hash <> x.own;
    IF bad IS NOT NULL THEN
        RETURN bad;
    END IF;
    FOR r IN SELECT h.lane, h.hash,
                    (SELECT a.hash FROM audit_log a WHERE a.municipality_id = m
                        AND a.lane = h.lane ORDER BY a.seq DESC LIMIT 1) AS last_hash,
                    (SELECT max(a.seq) FROM audit_log a WHERE a.municipality_id = m
                        AND a.lane = h.lane) AS last_seq
               FROM audit_head h WHERE h.municipality_id = m LOOP
        IF r.last_hash IS NOT NULL AND r.last_hash <> r.hash THEN
            RETURN r.last_seq;
        END IF;
    END LOOP;
    RETURN 0;
END
$$;
REVOKE ALL ON FUNCTION spona_sync_audit_check(uuid) FROM PUBLIC;
