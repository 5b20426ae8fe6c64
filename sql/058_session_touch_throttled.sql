-- 058: the session gate's touch written at most every few seconds (issue 12). Every
-- request's transaction called spona_session_touch (sql/034), which UPDATEd the session's
-- last_seen_at: a row version and WAL for every read, and a read that changed nothing
-- else still committed a write. Now the gate checks the session exactly as before (not
-- ended, not idle past p_idle, not older than p_max, user and institution enabled) and
-- writes last_seen_at only when the stored value is older than least(10 s, p_idle / 4).
-- A session is then seen as idle at most that much earlier than it was (never later);
-- the check itself reads the same row, so a logout or a disabled user still stops the
-- very next request.
CREATE OR REPLACE FUNCTION spona_session_touch(p_municipality text, p_institution text,
                                               p_user text, p_session text, p_idle integer,
                                               p_max integer)
    RETURNS boolean LANGUAGE plpgsql VOLATILE AS
$$
DECLARE
    v_seen timestamptz;
BEGIN
    IF coalesce(p_session, '') = '' OR coalesce(p_user, '') = '' THEN
        RETURN false;
    END IF;
    PERFORM spona_session_identity(p_municipality, p_institution, p_user, NULL);
    SELECT s.last_seen_at INTO v_seen
      FROM sessions s JOIN users u ON u.id = s.user_id JOIN institutions i ON i.id = s.institution_id
     WHERE s.id = p_session::uuid AND s.ended_at IS NULL AND u.enabled AND i.enabled
       AND s.last_seen_at > now() - make_interval(secs => p_idle)
       AND s.started_at > now() - make_interval(secs => p_max);
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF v_seen < now() - make_interval(secs => least(10, p_idle / 4)) THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = p_session::uuid;
    END IF;
    RETURN true;
END
$$;
