-- 041: the caseload (docs/cases.md, "Caseload"; docs/protocol.md, case_list, inbox,
-- directory). An institution's contact for the protocol's directory, and the name of the
-- person a referral addressed to the caller is about, for its inbox.

-- How to reach an institution (phone, e-mail, address: one line), shown by `directory`
-- beside the protocol's signatories. Not personal data; set by the operator.
ALTER TABLE institutions ADD COLUMN contact text NOT NULL DEFAULT ''
    CHECK (length(contact) <= 500);

-- The person's name (and the case's number) for the institution a referral is addressed to, which may not be on
-- the case's team yet (a pending referral): the rows of spona_referral_addressee (016),
-- never for a caller excluded from a case of the person. Whether the name is shown is
-- the server's decision on identity for the addressee (handlers_caseload.c, as
-- referral_addressee_decide decides plan_measures), audited with the person.
CREATE FUNCTION spona_referral_addressee_name(p_referral uuid)
    RETURNS TABLE (first_name text, last_name text, case_number text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$
    SELECT p.first_name, p.last_name, c.number
      FROM referrals r JOIN cases c ON c.id = r.case_id JOIN persons p ON p.id = c.person_id
     WHERE r.id = p_referral
       AND r.municipality_id = spona_current_municipality()
       AND r.institution_id = spona_current_institution()
       AND NOT spona_person_excluded(c.person_id)
$$;
REVOKE ALL ON FUNCTION spona_referral_addressee_name(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spona_referral_addressee_name(uuid) TO spona_app;

-- Case lists page by (opened_at, id), newest first.
CREATE INDEX IF NOT EXISTS cases_opened ON cases (municipality_id, opened_at DESC, id DESC);
