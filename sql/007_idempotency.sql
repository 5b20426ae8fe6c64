-- 007: answers to writes by idempotency key (docs/cases.md, "Concurrency and retries").
-- A retried write with the same key gets the stored answer instead of a second effect.
-- Rows older than a day may be deleted; the key is the user's, so RLS keeps them private.

CREATE TABLE request_results (
    user_id         uuid NOT NULL REFERENCES users(id),
    idempotency_key uuid NOT NULL,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    body_case       integer NOT NULL,
    response        bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key)
);

ALTER TABLE request_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY request_results_own ON request_results
    USING (user_id = spona_current_user())
    WITH CHECK (user_id = spona_current_user()
                AND municipality_id = spona_current_municipality());
GRANT SELECT, INSERT, DELETE ON request_results TO spona_app;
