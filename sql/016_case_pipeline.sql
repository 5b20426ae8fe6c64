-- The subject of a referral for the institution it is addressed to, which may not be on
-- the case's team (a referral not yet accepted, or one whose membership ended), so that
-- the server can decide whether that institution may read the referral's text (its
-- plan_measures category, under the protocol and the person's consent to it) and audit
-- the disclosure with the person's id (server/handlers/handlers_referral.c). It answers
-- only for a referral addressed to the acting institution in its municipality, and only
-- what the decision needs: the person (never sent to the client), her safety flag,
-- whether the acting institution or user is excluded from any case of hers, and the
-- categories she currently consents to share with the acting institution.
CREATE FUNCTION spona_referral_addressee(p_referral uuid)
    RETURNS TABLE (person_id uuid, safety_flag boolean, excluded boolean, consented text[])
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT c.person_id, p.safety_flag, spona_person_excluded(c.person_id),
           ARRAY(SELECT DISTINCT k.category FROM consents k
                  WHERE k.person_id = c.person_id AND k.institution_id = r.institution_id
                    AND k.withdrawn_at IS NULL AND k.given_on <= current_date
                    AND (k.expires_on IS NULL OR k.expires_on >= current_date))
      FROM referrals r JOIN cases c ON c.id = r.case_id JOIN persons p ON p.id = c.person_id
     WHERE r.id = p_referral
       AND r.municipality_id = spona_current_municipality()
       AND r.institution_id = spona_current_institution()
$$;

REVOKE ALL ON FUNCTION spona_referral_addressee(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_referral_addressee(uuid) TO spona_app;
