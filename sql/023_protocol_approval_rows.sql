-- Row-level security for the approvals of a protocol amendment (sql/019, docs/policy.md
-- "Amendments"), which arrived after the hardening of sql/017: as the server's role, an
-- institution reads the approvals of its own municipality's versions, only the importer's
-- roles (coordinator, lead agency) write the required rows when a version is imported,
-- an institution signs only its own row and only once, and a version can be activated
-- only when no required approval is missing.
ALTER TABLE protocol_approvals ENABLE ROW LEVEL SECURITY;

CREATE POLICY protocol_approvals_read ON protocol_approvals FOR SELECT
    USING (EXISTS (SELECT 1 FROM protocols p
                    WHERE p.id = protocol_id
                      AND p.municipality_id = spona_current_municipality()));

CREATE POLICY protocol_approvals_require ON protocol_approvals FOR INSERT
    WITH CHECK (signature IS NULL
                AND spona_current_role() IN ('coordinator', 'lead_agency')
                AND EXISTS (SELECT 1 FROM protocols p
                             WHERE p.id = protocol_id
                               AND p.municipality_id = spona_current_municipality()
                               AND p.activated_at IS NULL));

CREATE POLICY protocol_approvals_sign ON protocol_approvals FOR UPDATE
    USING (institution_id = spona_current_institution() AND signature IS NULL
           AND EXISTS (SELECT 1 FROM protocols p
                        WHERE p.id = protocol_id
                          AND p.municipality_id = spona_current_municipality()))
    WITH CHECK (institution_id = spona_current_institution()
                AND approved_by = spona_current_user());

-- Whatever else allows an update of protocols, activation needs every approval.
CREATE POLICY protocols_activate_approved ON protocols AS RESTRICTIVE FOR UPDATE
    USING (true)
    WITH CHECK (activated_at IS NULL
                OR NOT EXISTS (SELECT 1 FROM protocol_approvals a
                                WHERE a.protocol_id = id AND a.signature IS NULL));
