-- shared: the session functions of both databases (the municipal sql/034 and the regional
-- sql/region/003 put this file in with `--@include`, server/db/migration_text.c): the
-- identity a session statement acts with, login, the session gate, resume, logout and the
-- cap on a user's sessions. server/handlers/handlers_session.c is one code for both modes.

CREATE FUNCTION spona_session_identity(p_municipality text, p_institution text,
                                       p_user text, p_token text) RETURNS void
    LANGUAGE plpgsql VOLATILE AS
$$ BEGIN
    PERFORM set_config('spona.municipality_id', coalesce(p_municipality, ''), true),
            set_config('spona.institution_id', coalesce(p_institution, ''), true),
            set_config('spona.user_id', coalesce(p_user, ''), true),
            set_config('spona.session_token', coalesce(p_token, ''), true);
END $$;

-- A login: the user's new session, bound to the certificate; its id.
CREATE FUNCTION spona_session_start(p_municipality text, p_institution text, p_user text,
                                    p_installation text, p_peer text, p_token text,
                                    p_certificate text) RETURNS uuid
    LANGUAGE plpgsql VOLATILE AS
$$
DECLARE
    v_id uuid;
BEGIN
    PERFORM spona_session_identity(p_municipality, p_institution, p_user, NULL);
    INSERT INTO sessions (municipality_id, user_id, institution_id, installation, peer,
                          token_sha256, certificate_sha256)
    VALUES (p_municipality::uuid, p_user::uuid, p_institution::uuid, p_installation, p_peer,
            decode(p_token, 'hex'), decode(p_certificate, 'hex'))
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;

-- The user's open sessions beyond the newest p_keep end; their ids.
CREATE FUNCTION spona_session_cap(p_municipality text, p_institution text, p_user text,
                                  p_keep integer) RETURNS SETOF uuid
    LANGUAGE plpgsql VOLATILE AS
$$ BEGIN
    PERFORM spona_session_identity(p_municipality, p_institution, p_user, NULL);
    RETURN QUERY
    UPDATE sessions SET ended_at = now(), end_reason = 'too many sessions: a newer login'
     WHERE id IN (SELECT s.id FROM sessions s WHERE s.user_id = p_user::uuid
                     AND s.ended_at IS NULL
                   ORDER BY s.started_at DESC, s.id OFFSET p_keep)
    RETURNING id;
END $$;

-- The session gate: the user's session p_session is alive (not ended, not idle past
-- p_idle seconds, not older than p_max, user and institution enabled) and is marked seen.
CREATE FUNCTION spona_session_touch(p_municipality text, p_institution text, p_user text,
                                    p_session text, p_idle integer, p_max integer)
    RETURNS boolean LANGUAGE plpgsql VOLATILE AS
$$
DECLARE
    v_touched boolean;
BEGIN
    IF coalesce(p_session, '') = '' OR coalesce(p_user, '') = '' THEN
        RETURN false;
    END IF;
    PERFORM spona_session_identity(p_municipality, p_institution, p_user, NULL);
    WITH touch AS (
        UPDATE sessions s SET last_seen_at = now() FROM users u, institutions i
         WHERE s.id = p_session::uuid AND u.id = s.user_id AND i.id = s.institution_id
           AND s.ended_at IS NULL AND u.enabled AND i.enabled
           AND s.last_seen_at > now() - make_interval(secs => p_idle)
           AND s.started_at > now() - make_interval(secs => p_max)
        RETURNING s.id)
    SELECT EXISTS (SELECT 1 FROM touch) INTO v_touched;
    RETURN v_touched;
END
$$;

-- Why the user's session p_session ended (NULL: it did not, or expired).
CREATE FUNCTION spona_session_end_reason(p_municipality text, p_institution text,
                                         p_user text, p_session text) RETURNS text
    LANGUAGE plpgsql VOLATILE AS
$$ BEGIN
    PERFORM spona_session_identity(p_municipality, p_institution, p_user, NULL);
    RETURN (SELECT s.end_reason FROM sessions s WHERE s.id = p_session::uuid);
END $$;

-- A resume: the session of token p_token (hex SHA-256) at the institution, bound to
-- certificate p_certificate, alive as for the gate, is marked seen; its id and user.
CREATE FUNCTION spona_session_resume(p_municipality text, p_institution text, p_token text,
                                     p_certificate text, p_idle integer, p_max integer)
    RETURNS TABLE (session_id uuid, user_id uuid) LANGUAGE plpgsql VOLATILE AS
$$ BEGIN
    PERFORM spona_session_identity(p_municipality, p_institution, NULL, p_token);
    RETURN QUERY
    UPDATE sessions s SET last_seen_at = now() FROM users u, institutions i
     WHERE s.token_sha256 = decode(p_token, 'hex') AND s.institution_id = p_institution::uuid
       AND s.certificate_sha256 = decode(p_certificate, 'hex')
       AND u.id = s.user_id AND i.id = s.institution_id
       AND s.ended_at IS NULL AND u.enabled AND i.enabled
       AND s.last_seen_at > now() - make_interval(secs => p_idle)
       AND s.started_at > now() - make_interval(secs => p_max)
    RETURNING s.id, s.user_id;
END $$;

-- Logout (or any end the server decides): the user's session p_session ends.
CREATE FUNCTION spona_session_end(p_municipality text, p_institution text, p_user text,
                                  p_session text, p_reason text) RETURNS void
    LANGUAGE plpgsql VOLATILE AS
$$ BEGIN
    PERFORM spona_session_identity(p_municipality, p_institution, p_user, NULL);
    UPDATE sessions SET ended_at = now(), end_reason = p_reason
     WHERE id = p_session::uuid AND ended_at IS NULL;
END $$;

REVOKE ALL ON FUNCTION spona_session_identity(text, text, text, text),
    spona_session_start(text, text, text, text, text, text, text),
    spona_session_cap(text, text, text, integer),
    spona_session_touch(text, text, text, text, integer, integer),
    spona_session_end_reason(text, text, text, text),
    spona_session_resume(text, text, text, text, integer, integer),
    spona_session_end(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_session_identity(text, text, text, text),
    spona_session_start(text, text, text, text, text, text, text),
    spona_session_cap(text, text, text, integer),
    spona_session_touch(text, text, text, text, integer, integer),
    spona_session_end_reason(text, text, text, text),
    spona_session_resume(text, text, text, text, integer, integer),
    spona_session_end(text, text, text, text, text) TO spona_app;
