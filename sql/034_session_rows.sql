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

--@include shared/session_rows.sql

-- The identity a session statement acts with, for its own transaction.
--@include shared/session_functions.sql
