-- region 003: the session functions of the municipal sql/034 (login, the session gate,
-- resume, logout, the cap call them: server/handlers/handlers_session.c is one code for
-- both modes), over the regional database's own sessions table. The regional sessions
-- hold only the region's staff; sql/region/008 puts the municipal row-level security on
-- them (docs/region.md).

CREATE FUNCTION spona_current_municipality() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('spona.municipality_id', true), '')::uuid $$;

CREATE FUNCTION spona_current_institution() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('spona.institution_id', true), '')::uuid $$;

CREATE FUNCTION spona_current_user() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('spona.user_id', true), '')::uuid $$;

REVOKE ALL ON FUNCTION spona_current_municipality(), spona_current_institution(),
    spona_current_user() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_current_municipality(), spona_current_institution(),
    spona_current_user() TO spona_app;

-- The identity a session statement acts with, for its own transaction.
--@include shared/session_functions.sql
