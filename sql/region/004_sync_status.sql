-- region 004: the sync status (docs/region.md, "Sync status"): every finished run of a
-- municipality's spona-sync, as its `sync_status` batch reported it (the municipality's
-- clock), and per municipality the last run, the last successful one and the lag.

CREATE TABLE region_sync_runs (
    municipality_id uuid NOT NULL REFERENCES region_municipalities(id),
    seq             bigint NOT NULL CHECK (seq > 0),
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    exit_code       integer NOT NULL,
    attempts        integer NOT NULL,
    sent            bigint NOT NULL,
    received        bigint NOT NULL,
    applied         bigint NOT NULL,
    already_applied bigint NOT NULL,
    rejected        bigint NOT NULL,
    streams         text NOT NULL,   -- "stream direction sent/received/applied/already/rejected; ..."
    reported_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_id, seq)
);

CREATE VIEW region_sync_status AS
SELECT m.id AS municipality_id, m.code,
       last.finished_at AS last_run_at, last.exit_code AS last_exit_code,
       ok.finished_at AS last_success_at,
       now() - ok.finished_at AS lag,
       (SELECT count(*) FROM region_sync_runs f WHERE f.municipality_id = m.id
           AND f.exit_code <> 0 AND f.finished_at > coalesce(ok.finished_at, '-infinity'))
           AS failures_since_success
  FROM region_municipalities m
  LEFT JOIN LATERAL (SELECT * FROM region_sync_runs r WHERE r.municipality_id = m.id
                      ORDER BY r.seq DESC LIMIT 1) last ON true
  LEFT JOIN LATERAL (SELECT * FROM region_sync_runs r WHERE r.municipality_id = m.id
                        AND r.exit_code = 0 ORDER BY r.seq DESC LIMIT 1) ok ON true;

GRANT SELECT, INSERT ON region_sync_runs TO spona_app;
GRANT SELECT ON region_sync_status TO spona_app;
