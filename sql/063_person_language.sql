-- 063: a person's preferred language (issue 13): the language of the letters written
-- to her (`spona disclosures --letter`, docs/documents.md), one of the clients' tags
-- (docs/i18n.md). Optional: without it a letter is in the language of the CLI that
-- writes it. Category contact_address (how the person is written to); not an address,
-- so not withheld from partners when she is at risk. server/policy/fields.c has the row.
ALTER TABLE persons ADD COLUMN language text
    CHECK (language IN ('bs', 'hr', 'sr-Latn', 'sr-Cyrl', 'en'));
INSERT INTO person_field_categories (column_name, category, address)
    VALUES ('language', 'contact_address', false);

-- persons_for_caller as in 028, now with the column (the view's columns come from
-- person_field_categories when it is made, so it is made again).
DROP VIEW persons_for_caller;
DO $$
DECLARE
    columns text;
BEGIN
    SELECT string_agg(format('CASE WHEN %L = ANY (d.readable) THEN p.%I END AS %I',
                             f.category, f.column_name, f.column_name),
                      ', ' ORDER BY f.column_name)
      INTO columns FROM person_field_categories f;
    EXECUTE format('CREATE VIEW persons_for_caller WITH (security_barrier = true) AS'
                   ' SELECT p.id, p.municipality_id, p.version, p.created_by_institution,'
                   '        p.created_at, p.updated_at, %s'
                   '   FROM persons p'
                   '   CROSS JOIN LATERAL (SELECT spona_person_readable(p.id) AS readable'
                   '                         OFFSET 0) d'
                   '  WHERE p.municipality_id = spona_current_municipality()'
                   '    AND (p.created_by_institution = spona_current_institution()'
                   '         OR spona_person_on_team(p.id, false))'
                   '    AND (NOT (SELECT spona_caller_excluded()) OR NOT spona_person_excluded(p.id))',
                   columns);
END
$$;
GRANT SELECT ON persons_for_caller TO spona_app;
