-- 034: row-level security on sessions (issue 10; docs/access.md, "What the database
-- enforces"). Until now spona_app could select and end every session of every
-- municipality (who logged in from where, when, with which installation). Now it sees
-- and updates, for the acting institution (spona.municipality_id, spona.institution_id):
--   * the acting user's own sessions (spona.user_id): the session gate's touch, why a
--     session ended, logout, the cap on a user's sessions (auth.max_sessions_per_user);
--   * the one session whose token's SHA-256 is the acting token (spona.session_token,
--     hex): a resume, before the server knows the user;
-- and inserts only a session of the acting user at the acting institution. The server's
-- session statements run outside a request's transaction, so each is a function here
-- that sets the identity for its own statement (set_config local: it ends with the
-- statement's transaction) and runs the statement under these policies, with the
-- caller's rights. The owner's tools (end-sessions, sql/024's triggers) are not subject
-- to them.

CREATE FUNCTION spona_current_session_token() RETURNS bytea
    LANGUAGE sql STABLE AS
$$ SELECT decode(NULLIF(current_setting('spona.session_token', true), ''), 'hex') $$;
GRANT EXECUTE ON FUNCTION spona_current_session_token() TO spona_app;

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;

CREATE POLICY sessions_read ON sessions FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND institution_id = spona_current_institution()
           AND (user_id = spona_current_user() OR token_sha256 = spona_current_session_token()));
CREATE POLICY sessions_insert ON sessions FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND institution_id = spona_current_institution()
                AND user_id = spona_current_user()
                AND EXISTS (SELECT 1 FROM users u WHERE u.id = user_id
                               AND u.institution_id = spona_current_institution()));
CREATE POLICY sessions_update ON sessions FOR UPDATE
    USING (municipality_id = spona_current_municipality()
           AND institution_id = spona_current_institution()
           AND (user_id = spona_current_user() OR token_sha256 = spona_current_session_token()))
    WITH CHECK (municipality_id = spona_current_municipality()
                AND institution_id = spona_current_institution());

-- The identity a session statement acts with, for its own transaction.
--@include shared/session_functions.sql
