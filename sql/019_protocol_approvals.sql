-- 019: amendments need the signatories (docs/policy.md, "Amendments"). A protocol version
-- that widens any institution's access takes effect only when the lead agency and every
-- widened institution approved it, each with a signature by its certificate key over the
-- version's SHA-256. The version in force is the latest *activated* one whose effective
-- date has come; activated_at is NULL until the last required approval (or set on import
-- for a version that widens no one).

ALTER TABLE protocols ADD COLUMN activated_at timestamptz;

-- every version stored before this migration was in force under the old rule
UPDATE protocols SET activated_at = imported_at WHERE activated_at IS NULL;

-- One row per required approval, written on import; signed when the institution approves.
CREATE TABLE protocol_approvals (
    protocol_id     uuid NOT NULL REFERENCES protocols(id),
    institution_id  uuid NOT NULL REFERENCES institutions(id),
    reason          text NOT NULL,          -- "lead agency; gains read health_disability"
    signature       bytea,                  -- NULL until approved
    certificate     bytea,                  -- DER of the certificate that verified it
    approved_by     uuid REFERENCES users(id),
    approved_at     timestamptz,
    PRIMARY KEY (protocol_id, institution_id),
    CHECK ((signature IS NULL) = (approved_at IS NULL)),
    CHECK ((signature IS NULL) = (certificate IS NULL))
);

CREATE INDEX protocols_activated ON protocols (municipality_id, version)
    WHERE activated_at IS NOT NULL;

GRANT SELECT, INSERT ON protocol_approvals TO spona_app;
GRANT UPDATE (signature, certificate, approved_by, approved_at) ON protocol_approvals TO spona_app;
GRANT UPDATE (activated_at) ON protocols TO spona_app;
