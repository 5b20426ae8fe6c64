-- The request pipeline's exclusion gate (server/request/subject.c): whether the acting
-- institution or user is excluded from any case of the person a case belongs to. Used
-- for a referral addressed to the caller, whose case the caller may not see yet. It
-- answers only about the caller (the identity of the transaction), never about
-- another institution, so it tells nothing the caller could not learn by being refused.
CREATE FUNCTION spona_case_person_excluded(p_case uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM cases c JOIN cases other ON other.person_id = c.person_id
                   JOIN case_exclusions x ON x.case_id = other.id
                  WHERE c.id = p_case
                    AND c.municipality_id = spona_current_municipality()
                    AND (x.institution_id = spona_current_institution()
                         OR x.user_id = spona_current_user())) $$;

REVOKE ALL ON FUNCTION spona_case_person_excluded(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_case_person_excluded(uuid) TO spona_app;
