-- 002: protocol versions (the signed Protocol on cooperation, which is also the access
-- policy). The YAML source is stored verbatim; the server parses it (server/policy/policy_parse.c).
-- Signatory rows repeat the document's institutions and roles for SQL-side use.

CREATE TABLE protocols (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    version         integer NOT NULL CHECK (version >= 1),
    title           text NOT NULL,
    effective_date  date NOT NULL,
    source          text NOT NULL,
    source_sha256   bytea NOT NULL,
    imported_by     uuid REFERENCES users(id),  -- NULL: imported with an admin command
    imported_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, version)
);

CREATE TABLE protocol_signatories (
    protocol_id     uuid NOT NULL REFERENCES protocols(id),
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    role            text NOT NULL,
    PRIMARY KEY (protocol_id, institution_id)
);

GRANT SELECT, INSERT ON protocols, protocol_signatories TO spona_app;
