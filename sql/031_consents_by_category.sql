-- 031: consent records by category (docs/access.md, "Columns by category"): the last
-- table spona_app could read in full for a person it may see. A consent names a category
-- and an institution, so a consent to share health data with a disability NGO tells that
-- there is some; the API lists only consents of categories the caller may read
-- (consent_list, the timeline). Now row-level security says the same: the caller's own
-- consents (which its access depends on), all of them to the lead of the person's case
-- (which records and withdraws them, whatever categories it may read), and to anyone else
-- those whose category it may read (spona_person_readable). The decision it asks
-- (sql/028) reads the caller's own consents through spona_own_consents, which answers
-- only about the caller, so the policy never asks itself.

DROP POLICY consents_read ON consents;
CREATE POLICY consents_read ON consents FOR SELECT
    USING (municipality_id = spona_current_municipality()
           AND NOT spona_person_excluded(person_id)
           AND (institution_id = spona_current_institution()
                OR spona_person_led(person_id)
                OR (spona_person_visible(person_id)
                    AND category = ANY (spona_person_readable(person_id)))));
