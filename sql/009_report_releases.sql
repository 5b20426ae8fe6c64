-- 009: the released figures that institutions other than the lead agency get (issue 5,
-- docs/reports.md). The indicators themselves gain rows and speed in 010.
--
-- report_releases / report_release_rows: the figures of one calendar quarter of one
-- municipality, computed once, the first time an institution other than the lead asks
-- for that quarter after it has ended, and answered unchanged from then on. A figure
-- that can be asked for again later (after a late entry), or for an overlapping period,
-- could be subtracted from its earlier self to single out the one person who made the
-- difference; a released figure never moves and released periods never overlap.

-- The released figures of a quarter (see above). Unsuppressed, as the function computed
-- them: the server suppresses small cells when it answers (server/handlers/handlers_report.c).
CREATE TABLE report_releases (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    municipality_id  uuid NOT NULL REFERENCES municipalities(id),
    period_from      date NOT NULL,
    period_to        date NOT NULL CHECK (period_to >= period_from),
    protocol_version integer NOT NULL,
    released_at      timestamptz NOT NULL DEFAULT now(),
    released_for     uuid NOT NULL REFERENCES institutions(id),   -- whose request fixed it
    UNIQUE (municipality_id, period_from, period_to)
);
CREATE TABLE report_release_rows (
    release_id uuid NOT NULL REFERENCES report_releases(id),
    n          integer NOT NULL,
    indicator  text NOT NULL,
    breakdown  text NOT NULL,
    value      numeric,
    base       bigint NOT NULL,
    PRIMARY KEY (release_id, n)
);
ALTER TABLE report_releases ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_release_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_releases_municipality ON report_releases
    USING (municipality_id = spona_current_municipality())
    WITH CHECK (municipality_id = spona_current_municipality());
CREATE POLICY report_release_rows_municipality ON report_release_rows
    USING (EXISTS (SELECT 1 FROM report_releases r
                    WHERE r.id = release_id AND r.municipality_id = spona_current_municipality()))
    WITH CHECK (EXISTS (SELECT 1 FROM report_releases r
                         WHERE r.id = release_id
                           AND r.municipality_id = spona_current_municipality()));
-- released figures are never changed or removed
GRANT SELECT, INSERT ON report_releases, report_release_rows TO spona_app;
