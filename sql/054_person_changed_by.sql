-- 054: who changed a person last and which data categories (issue 13, "Versions without
-- bookkeeping"): a refused write with a stale version (CONFLICT) tells who changed the
-- person, when, and which of the categories the caller may read were written. Links and
-- category names only, no one's personal data: granted to spona_app beside version and
-- updated_at. NULL / empty for persons not changed since this migration.

ALTER TABLE persons ADD COLUMN updated_by uuid REFERENCES users(id);
ALTER TABLE persons ADD COLUMN updated_categories text[] NOT NULL DEFAULT '{}';
GRANT SELECT (updated_by, updated_categories) ON persons TO spona_app;
