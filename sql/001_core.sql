-- 001: municipalities, institutions (signatories), their users, login sessions.
-- Applied by `spona-server migrate` as the owner role, in one transaction.
-- The server itself connects as spona_app, which owns nothing and gets only the
-- grants below (so row-level security will bind it in later migrations).

CREATE TABLE municipalities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    name        text NOT NULL,
    region      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- An institution that signed the municipality's Protocol on cooperation. Its code is
-- the common name (CN) of its installation's client certificate.
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

-- One row per login. A later connection of the same installation may resume it with
-- the token (only its SHA-256 is stored) until it ends: logout, idle or maximum age.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    user_id         uuid NOT NULL REFERENCES users(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    installation    text NOT NULL,
    peer            text NOT NULL,
    token_sha256    bytea NOT NULL UNIQUE,
    started_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    ended_at        timestamptz,
    end_reason      text
);

GRANT SELECT ON municipalities, institutions TO spona_app;
GRANT SELECT, UPDATE (failed_logins, locked_until) ON users TO spona_app;
GRANT SELECT, INSERT, UPDATE (last_seen_at, ended_at, end_reason) ON sessions TO spona_app;
