-- Sessions end when their reason ends (issue 11, item 4). A password change, a user
-- disabled or an institution disabled ends (ended_at, end_reason) every open session of
-- that user or institution in the same transaction as the change, whatever path changes
-- the row (admin command, psql); re-enabling revives nothing, because an ended session
-- stays ended. A session is bound to the certificate that logged in: its SHA-256 (of the
-- DER) is stored, and a resume must present the same certificate (handlers_session.c).

ALTER TABLE sessions ADD COLUMN certificate_sha256 bytea;

CREATE INDEX sessions_open_by_user ON sessions (user_id, started_at) WHERE ended_at IS NULL;
CREATE INDEX sessions_open_by_institution ON sessions (institution_id)
    WHERE ended_at IS NULL;

CREATE FUNCTION spona_end_user_sessions() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
        UPDATE sessions SET ended_at = now(), end_reason = 'password changed'
         WHERE user_id = NEW.id AND ended_at IS NULL;
    ELSIF OLD.enabled AND NOT NEW.enabled THEN
        UPDATE sessions SET ended_at = now(), end_reason = 'user disabled'
         WHERE user_id = NEW.id AND ended_at IS NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER users_end_sessions AFTER UPDATE OF password_hash, enabled ON users
    FOR EACH ROW EXECUTE FUNCTION spona_end_user_sessions();

CREATE FUNCTION spona_end_institution_sessions() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF OLD.enabled AND NOT NEW.enabled THEN
        UPDATE sessions SET ended_at = now(), end_reason = 'institution disabled'
         WHERE institution_id = NEW.id AND ended_at IS NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER institutions_end_sessions AFTER UPDATE OF enabled ON institutions
    FOR EACH ROW EXECUTE FUNCTION spona_end_institution_sessions();

REVOKE ALL ON FUNCTION spona_end_user_sessions() FROM PUBLIC;
REVOKE ALL ON FUNCTION spona_end_institution_sessions() FROM PUBLIC;
