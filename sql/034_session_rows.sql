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
