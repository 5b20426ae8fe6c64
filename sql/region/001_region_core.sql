-- region 001: the regional database (docs/region.md). Applied by `spona-server migrate`
-- when [server] mode = regional, from <migrations_dir>/region/, as the owner role in one
-- transaction. The regional server connects as spona_app with the grants below.
--
-- Two parts:
--   * the region's own staff: municipalities, institutions, users, sessions in the very
--     shape of the municipal sql/001 + 017 + 024, so login, sessions and the admin
--     commands (add-municipality, add-institution, add-user) are one code for both
--     modes. Here they hold only the region itself and its regional administrators
--     (institution role regional_admin); no person, case or policy table exists.
--   * the registry (region_*): what the region records about the municipalities, and its
--     own hash-chained audit trail (region_audit), independent of the municipal one.

CREATE TABLE municipalities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    name        text NOT NULL,
    region      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE institutions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    code            text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    name            text NOT NULL,
    role            text NOT NULL CHECK (role ~ '^[a-z_]{2,40}$'),
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    username        text NOT NULL CHECK (length(username) BETWEEN 1 AND 128),
    full_name       text NOT NULL,
    password_hash   text NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, username)
);

CREATE TABLE sessions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id    uuid NOT NULL REFERENCES municipalities(id),
    user_id            uuid NOT NULL REFERENCES users(id),
    institution_id     uuid NOT NULL REFERENCES institutions(id),
    installation       text NOT NULL,
    peer               text NOT NULL,
    token_sha256       bytea NOT NULL UNIQUE,
    certificate_sha256 bytea,
    started_at         timestamptz NOT NULL DEFAULT now(),
    last_seen_at       timestamptz NOT NULL DEFAULT now(),
    ended_at           timestamptz,
    end_reason         text
);
CREATE INDEX sessions_open_by_user ON sessions (user_id, started_at) WHERE ended_at IS NULL;

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

CREATE FUNCTION spona_login_lookup(p_institution uuid, p_username text)
    RETURNS TABLE (user_id uuid, hash_settings text, usable boolean, locked boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT u.id, substring(u.password_hash FROM '^(.*\$)[^$]*$'), u.enabled AND i.enabled,
          coalesce(u.locked_until > now(), false)
     FROM users u JOIN institutions i ON i.id = u.institution_id
    WHERE u.institution_id = p_institution AND u.username = p_username $$;

CREATE FUNCTION spona_login_verify(p_user uuid, p_hash text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM users u
                   WHERE u.id = p_user AND u.password_hash = p_hash) $$;

-- ---------------------------------------------------------------------------------
-- The registry
-- ---------------------------------------------------------------------------------

CREATE TABLE region_municipalities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    short_code  text NOT NULL UNIQUE CHECK (short_code ~ '^[A-Z]{2,4}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    names       jsonb NOT NULL DEFAULT '{}',       -- full names per language
    address     text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- An institution's code is the CN of the certificates the region issues it (the
-- municipal server identifies an installation by it): unique across the region.
CREATE TABLE region_institutions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES region_municipalities(id),
    code            text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role            text NOT NULL CHECK (role ~ '^[a-z_]{2,40}$'),
    contact         text NOT NULL DEFAULT '' CHECK (length(contact) <= 300),
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Every certificate the region issued or accepted (offline CA). serial: hex, upper case.
CREATE TABLE region_certificates (
    serial          text PRIMARY KEY CHECK (serial ~ '^[0-9A-F]{2,64}$'),
    fingerprint     bytea NOT NULL UNIQUE CHECK (length(fingerprint) = 32),
    municipality_id uuid NOT NULL REFERENCES region_municipalities(id),
    institution_id  uuid REFERENCES region_institutions(id),  -- NULL: the sync identity
    purpose         text NOT NULL CHECK (purpose IN ('institution', 'sync')),
    subject         text NOT NULL,
    not_before      timestamptz NOT NULL,
    not_after       timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoke_reason   text,
    pem             text NOT NULL,
    issued_by       uuid REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((purpose = 'institution') = (institution_id IS NOT NULL))
);
CREATE INDEX region_certificates_municipality ON region_certificates (municipality_id);

CREATE TABLE region_crls (
    number       bigint PRIMARY KEY CHECK (number > 0),
    pem          text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by uuid REFERENCES users(id)
);

-- ---------------------------------------------------------------------------------
-- The region's audit trail: append-only, one hash chain (the municipal sql/004 idea,
-- none of its tables): hash = sha256(prev_hash || canonical text)
-- ---------------------------------------------------------------------------------

CREATE TABLE region_audit (
    seq             bigint PRIMARY KEY,
    at              timestamptz NOT NULL,
    user_id         uuid,
    institution_id  uuid,
    installation    text NOT NULL DEFAULT '',
    session_id      uuid,
    request_id      bigint NOT NULL DEFAULT 0,
    action          text NOT NULL,
    object          text NOT NULL DEFAULT '',   -- what it acted on: a code, a serial
    outcome         text NOT NULL,
    detail          text NOT NULL DEFAULT '',
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL
);

CREATE TABLE region_audit_head (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq   bigint NOT NULL,
    hash  bytea NOT NULL
);
INSERT INTO region_audit_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

CREATE FUNCTION spona_region_audit_canonical(a region_audit) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$
    SELECT concat_ws(E'\x1f', a.seq::text,
        to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(a.user_id::text, ''), coalesce(a.institution_id::text, ''),
        a.installation, coalesce(a.session_id::text, ''), a.request_id::text, a.action,
        a.object, a.outcome, a.detail)
$$;

CREATE FUNCTION spona_region_audit_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    head region_audit_head%ROWTYPE;
BEGIN
    SELECT * INTO head FROM region_audit_head FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.at := clock_timestamp();
    NEW.prev_hash := head.hash;
    NEW.hash := sha256(NEW.prev_hash || convert_to(spona_region_audit_canonical(NEW), 'UTF8'));
    UPDATE region_audit_head SET seq = NEW.seq, hash = NEW.hash;
    RETURN NEW;
END
$$;

CREATE FUNCTION spona_region_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'the regional audit trail is append-only';
END
$$;

CREATE TRIGGER region_audit_chain BEFORE INSERT ON region_audit
    FOR EACH ROW EXECUTE FUNCTION spona_region_audit_chain();
CREATE TRIGGER region_audit_append_only BEFORE UPDATE OR DELETE ON region_audit
    FOR EACH ROW EXECUTE FUNCTION spona_region_append_only();
CREATE TRIGGER region_audit_no_truncate BEFORE TRUNCATE ON region_audit
    FOR EACH STATEMENT EXECUTE FUNCTION spona_region_append_only();

-- Recomputes the chain: the first record whose link or hash is wrong, or none.
CREATE FUNCTION spona_region_audit_verify()
    RETURNS TABLE (records bigint, head bytea, broken_at bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    r region_audit%ROWTYPE;
    prev bytea := decode(repeat('00', 32), 'hex');
    n bigint := 0;
BEGIN
    FOR r IN SELECT * FROM region_audit ORDER BY seq LOOP
        n := n + 1;
        IF r.seq <> n OR r.prev_hash <> prev
           OR r.hash <> sha256(r.prev_hash || convert_to(spona_region_audit_canonical(r), 'UTF8')) THEN
            RETURN QUERY SELECT n - 1, prev, n;
            RETURN;
        END IF;
        prev := r.hash;
    END LOOP;
    RETURN QUERY SELECT n, prev, NULL::bigint;
END
$$;

-- ---------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------

GRANT SELECT ON municipalities, institutions TO spona_app;
GRANT SELECT (id, municipality_id, institution_id, username, full_name, enabled,
              failed_logins, locked_until, created_at) ON users TO spona_app;
GRANT UPDATE (failed_logins, locked_until) ON users TO spona_app;
GRANT SELECT, INSERT, UPDATE (last_seen_at, ended_at, end_reason) ON sessions TO spona_app;
GRANT SELECT, INSERT, UPDATE (name, names, address, status, updated_at)
    ON region_municipalities TO spona_app;
GRANT SELECT, INSERT, UPDATE (name, role, contact, enabled, updated_at)
    ON region_institutions TO spona_app;
GRANT SELECT, INSERT, UPDATE (revoked_at, revoke_reason) ON region_certificates TO spona_app;
GRANT SELECT, INSERT ON region_crls TO spona_app;
GRANT SELECT, INSERT ON region_audit TO spona_app;
GRANT SELECT ON region_audit_head TO spona_app;

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'spona\_%'
                AND p.prorettype <> 'trigger'::regtype LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO spona_app', f);
    END LOOP;
END
$$;
