-- 033: SECURITY DEFINER functions answer only what the caller may know (issue 10, route
-- 10; docs/access.md, "What the database enforces").
--   * Search's candidates (spona_person_key_candidates, sql/025;
--     spona_person_loose_candidates, sql/005/017) returned every person the caller may
--     see whose key matched, whether or not it may read her identity: asked straight by
--     SQL, they told spona_app that a person it may see but not identify has a name in a
--     range. Now they return only persons whose identity the caller may read
--     (spona_identity_readable: the decision persons_identified makes), decided in key
--     order until the limit is reached.
--   * spona_own_consents (sql/028) answered an institution excluded from a case of the
--     person with its consents of her (given after the exclusion too), which consents'
--     row-level security (sql/031) does not let it read: now nothing, as the policy.
--   * spona_referral_addressee (sql/016) returned the person's safety flag to a
--     referral's addressee; now it returns only the fact the addressee may know, whether
--     the person's address is withheld from it (at risk, and the addressee does not lead
--     the case), as spona_case_address_withheld (sql/025) answers it.

-- Whether the caller may read the identity of person p_person, as
-- spona_decide_person('identity', 'read', p_person) decides it under row-level security:
-- on the case it would pick among the cases the caller may see (cases_read written out,
-- so that it answers the same inside a SECURITY DEFINER function, which runs as the owner),
-- else as the intake's lead when the caller registered her. Expects a person the caller
-- may see (persons_read); the callers below check that first.
CREATE FUNCTION spona_identity_readable(p_person uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    picked uuid;
BEGIN
    SELECT c.id INTO picked FROM cases c
     WHERE c.person_id = p_person AND c.municipality_id = spona_current_municipality()
       AND (c.lead_institution_id = spona_current_institution() OR spona_case_visible(c.id))
     ORDER BY EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id
                         AND t.institution_id = spona_current_institution()
                         AND t.left_at IS NULL) DESC,
              c.closed_at IS NULL DESC, c.opened_at DESC
     LIMIT 1;
    IF picked IS NOT NULL THEN
        RETURN spona_decide_clause('identity', 'read', picked) IS NOT NULL;
    END IF;
    RETURN (SELECT spona_decide_subject('identity', 'read', spona_caller_role(), true, true,
                                        false, false, false, false)
              FROM persons p
             WHERE p.id = p_person AND p.created_by_institution = spona_current_institution())
           IS NOT NULL;
END
$$;
REVOKE ALL ON FUNCTION spona_identity_readable(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_identity_readable(uuid) TO spona_app;

-- Name search's index ranges: as sql/025, and only persons whose identity the caller may
-- read (decided row by row in key order, until p_limit of them are found).
CREATE OR REPLACE FUNCTION spona_person_key_candidates(p_key text, p_low text, p_high text,
                                                       p_pattern text, p_limit integer)
    RETURNS TABLE (person_id uuid, rank bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    m uuid := spona_current_municipality();
    i uuid := spona_current_institution();
    excluded boolean := spona_caller_excluded();
    n integer := least(greatest(p_limit, 0), 2000);
BEGIN
    IF p_key = 'last_first' THEN
        RETURN QUERY SELECT p.id, row_number() OVER (ORDER BY p.name_key USING ~<~)
          FROM (SELECT p.id, p.name_key FROM persons p
                 WHERE p.municipality_id = m AND p.name_key ~>=~ p_low AND p.name_key ~<~ p_high
                   AND (p_pattern IS NULL OR p.name_key_first LIKE p_pattern)
                   AND (p.created_by_institution = i OR spona_person_on_team(p.id, false))
                   AND (NOT excluded OR NOT spona_person_excluded(p.id))
                   AND spona_identity_readable(p.id)
                 ORDER BY p.name_key USING ~<~ LIMIT n) p;
    ELSIF p_key = 'first_last' THEN
        RETURN QUERY SELECT p.id, row_number() OVER (ORDER BY p.name_key_first USING ~<~)
          FROM (SELECT p.id, p.name_key_first FROM persons p
                 WHERE p.municipality_id = m AND p.name_key_first ~>=~ p_low
                   AND p.name_key_first ~<~ p_high
                   AND (p_pattern IS NULL OR p.name_key_first LIKE p_pattern)
                   AND (p.created_by_institution = i OR spona_person_on_team(p.id, false))
                   AND (NOT excluded OR NOT spona_person_excluded(p.id))
                   AND spona_identity_readable(p.id)
                 ORDER BY p.name_key_first USING ~<~ LIMIT n) p;
    ELSIF p_key = 'cut' THEN
        RETURN QUERY SELECT p.id, row_number() OVER (ORDER BY p.name_key_cut USING ~<~)
          FROM (SELECT p.id, p.name_key_cut FROM persons p
                 WHERE p.municipality_id = m AND p.name_key_cut ~>=~ p_low
                   AND p.name_key_cut ~<~ p_high
                   AND (p_pattern IS NULL OR p.name_key_first LIKE p_pattern)
                   AND (p.created_by_institution = i OR spona_person_on_team(p.id, false))
                   AND (NOT excluded OR NOT spona_person_excluded(p.id))
                   AND spona_identity_readable(p.id)
                 ORDER BY p.name_key_cut USING ~<~ LIMIT n) p;
    END IF;
END
$$;

-- Loose search candidates: the persons the caller may see and identify whose loose key is
-- word-similar to p_key, best first, at most p_limit. The identity decision runs on the
-- matches in order of similarity (OFFSET 0 keeps it above the sort) until p_limit pass.
CREATE OR REPLACE FUNCTION spona_person_loose_candidates(p_key text, p_limit integer)
    RETURNS TABLE (person_id uuid, rank bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$ BEGIN
    RETURN QUERY
    SELECT s.id, row_number() OVER (ORDER BY s.similarity DESC, s.name_key, s.id)
      FROM (SELECT m.id, m.similarity, m.name_key
              FROM (SELECT p.id, word_similarity(p_key, p.name_key_loose) AS similarity,
                           p.name_key
                      FROM persons p
                     WHERE p.municipality_id = spona_current_municipality()
                       AND p_key <% p.name_key_loose
                       AND spona_person_visible(p.id)
                     ORDER BY 2 DESC, p.name_key, p.id OFFSET 0) m
             WHERE spona_identity_readable(m.id)
             LIMIT least(greatest(p_limit, 0), 1000)) s
     ORDER BY 2;
END $$;

-- A referral's subject for its addressee (sql/016): the person (never sent to the client),
-- whether her address is withheld from the addressee (she is at risk and the addressee
-- does not lead the case: the only fact of the safety flag it may know), whether the
-- acting institution or user is excluded from any case of hers, and the categories she
-- consents to share with it. Only for a referral addressed to the acting institution,
-- and nothing to one excluded from a case of the person (which row-level security does
-- not let see the referral at all; `excluded` stays for the server, always false now).
DROP FUNCTION spona_referral_addressee(uuid);
CREATE FUNCTION spona_referral_addressee(p_referral uuid)
    RETURNS TABLE (person_id uuid, address_withheld boolean, excluded boolean,
                   consented text[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$ BEGIN
    RETURN QUERY
    SELECT c.person_id, p.safety_flag AND c.lead_institution_id <> r.institution_id,
           spona_person_excluded(c.person_id),
           ARRAY(SELECT DISTINCT k.category FROM consents k
                  WHERE k.person_id = c.person_id AND k.institution_id = r.institution_id
                    AND k.withdrawn_at IS NULL AND k.given_on <= current_date
                    AND (k.expires_on IS NULL OR k.expires_on >= current_date))
      FROM referrals r JOIN cases c ON c.id = r.case_id JOIN persons p ON p.id = c.person_id
     WHERE r.id = p_referral
       AND r.municipality_id = spona_current_municipality()
       AND r.institution_id = spona_current_institution()
       AND NOT spona_person_excluded(c.person_id);
END $$;
REVOKE ALL ON FUNCTION spona_referral_addressee(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_referral_addressee(uuid) TO spona_app;

-- The decision table itself (sql/022) had no row-level security: spona_app could insert a
-- clause giving its own role any category, and the views would then show it. Now it
-- inserts rows only as protocol_signatories (sql/017): the coordinator or a lead agency,
-- for a version of its own municipality stored in the same transaction (protocol_import);
-- everyone reads them, as everyone reads the protocols. The owner's tools
-- (import-protocol, derive-decisions) are not subject to it.
ALTER TABLE policy_decisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY policy_decisions_read ON policy_decisions FOR SELECT USING (true);
CREATE POLICY policy_decisions_import ON policy_decisions FOR INSERT
    WITH CHECK (municipality_id = spona_current_municipality()
                AND spona_current_role() IN ('coordinator', 'lead_agency')
                AND (protocol_id, version) IN (
                        SELECT p.id, p.version FROM protocols p
                         WHERE p.municipality_id = spona_current_municipality()
                           AND p.imported_at = now()));

-- The caller's own consents of the person, in force today (sql/028); nothing to a caller
-- excluded from a case of hers, as consents_read (sql/031).
CREATE OR REPLACE FUNCTION spona_own_consents(p_person uuid) RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS
$$ BEGIN
    IF spona_person_excluded(p_person) THEN
        RETURN '{}';
    END IF;
    RETURN ARRAY(SELECT DISTINCT k.category FROM consents k
                  WHERE k.person_id = p_person
                    AND k.municipality_id = spona_current_municipality()
                    AND k.institution_id = spona_current_institution()
                    AND k.withdrawn_at IS NULL AND k.given_on <= current_date
                    AND (k.expires_on IS NULL OR k.expires_on >= current_date));
END $$;
