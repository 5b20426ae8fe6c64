-- shared: row-level security on sessions, in both databases (the municipal sql/034 and
-- the regional sql/region/008 put this file in with `--@include`): the acting user's own
-- sessions, and for a resume the one session whose token's SHA-256 is the acting token;
-- an insert only of a session of the acting user at the acting institution.

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
