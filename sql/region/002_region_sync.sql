-- region 002: the sync at the region (docs/region.md, "Streams", "Batches", "The
-- audit-chain ledger"): every batch received or produced, the watermarks, the ledger of
-- the municipalities' audit-chain heads per lane, and the alarms.

-- Every batch, exactly as received (up) or produced (down): either side can later prove
-- what it received. (stream, municipality, seq) is applied once.
CREATE TABLE sync_batches (
    stream          text NOT NULL CHECK (stream ~ '^[a-z_]{2,40}$'),
    municipality_id uuid NOT NULL REFERENCES region_municipalities(id),
    seq             bigint NOT NULL CHECK (seq > 0),
    direction       text NOT NULL CHECK (direction IN ('up', 'down')),
    payload         bytea NOT NULL,
    payload_sha256  bytea NOT NULL CHECK (length(payload_sha256) = 32),
    signer_serial   text NOT NULL,
    signature       bytea NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    applied_at      timestamptz,
    PRIMARY KEY (municipality_id, stream, seq)
);

-- Up streams: the last sequence applied here, per municipality and stream.
CREATE TABLE sync_watermarks (
    municipality_id uuid NOT NULL REFERENCES region_municipalities(id),
    stream          text NOT NULL,
    seq             bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_id, stream)
);

-- The ledger: per municipality and audit-chain lane, the head the region holds: how many
-- records the lane has, the last record's seq (a lane's seqs increase but have gaps: the
-- municipality's lanes share one sequence, sql/035) and its hash.
CREATE TABLE region_audit_heads (
    municipality_id uuid NOT NULL REFERENCES region_municipalities(id),
    lane            text NOT NULL CHECK (length(lane) BETWEEN 1 AND 64),
    count           bigint NOT NULL CHECK (count >= 0),
    last_seq        bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    head_hash       bytea NOT NULL CHECK (length(head_hash) = 32),
    reported_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_id, lane)
);

CREATE TABLE region_alarms (
    id              bigserial PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES region_municipalities(id),
    kind            text NOT NULL CHECK (kind IN ('history_rewritten', 'not_reporting',
                                                  'bad_signature', 'seq_conflict')),
    detail          text NOT NULL DEFAULT '',
    raised_at       timestamptz NOT NULL DEFAULT now(),
    acknowledged_by uuid REFERENCES users(id),
    acknowledged_at timestamptz
);

GRANT SELECT, INSERT, UPDATE (applied_at) ON sync_batches TO spona_app;
GRANT SELECT, INSERT, UPDATE (seq, updated_at) ON sync_watermarks TO spona_app;
GRANT SELECT, INSERT, UPDATE (count, last_seq, head_hash, reported_at) ON region_audit_heads TO spona_app;
GRANT SELECT, INSERT, UPDATE (acknowledged_by, acknowledged_at) ON region_alarms TO spona_app;
GRANT USAGE ON SEQUENCE region_alarms_id_seq TO spona_app;
