-- 026: the row-level security helpers keep their plans (docs/performance.md, issue 12).
--
-- The helpers that policies, views and the access check call per row
-- (spona_case_visible, spona_person_visible, spona_case_excluded, ...) are SECURITY
-- DEFINER, so PostgreSQL never inlines them; as LANGUAGE sql they were parsed and
-- planned again in every statement that called them (a quarter of the backend's CPU on
-- an audited read). As PL/pgSQL the same body is planned once per database connection
-- and the plan reused. This migration rewrites every boolean SECURITY DEFINER helper
-- of the schema that is still LANGUAGE sql, body for body, into PL/pgSQL:
-- RETURN (the same SELECT), with the SQL function's rule for names (a column name wins
-- over a parameter of the same name: #variable_conflict use_column), the same
-- volatility, SECURITY DEFINER and search_path. What each helper answers does not
-- change (integration.rls, rls_leaks and decision_table run over them).
-- A later migration that adds such a helper in SQL runs spona_plan_cache_helpers()
-- again.

CREATE FUNCTION spona_plan_cache_helpers() RETURNS integer
    LANGUAGE plpgsql AS
$do$
DECLARE
    f record;
    converted integer := 0;
BEGIN
    FOR f IN SELECT p.proname, pg_get_function_arguments(p.oid) AS args, p.prosrc,
                    p.provolatile, p.proconfig
               FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
              WHERE p.pronamespace = 'public'::regnamespace AND l.lanname = 'sql'
                AND p.prosecdef AND p.prorettype = 'boolean'::regtype AND NOT p.proretset
                AND p.proname LIKE 'spona\_%'
                AND position(';' IN rtrim(p.prosrc, E' \n\t;')) = 0
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION %I(%s) RETURNS boolean LANGUAGE plpgsql'
                       ' %s SECURITY DEFINER %s AS %L',
                       f.proname, f.args,
                       CASE f.provolatile WHEN 's' THEN 'STABLE' WHEN 'i' THEN 'IMMUTABLE'
                                          ELSE 'VOLATILE' END,
                       CASE WHEN f.proconfig IS NOT NULL
                            THEN 'SET search_path = public' ELSE '' END,
                       E'#variable_conflict use_column\nBEGIN\nRETURN ('
                       || rtrim(f.prosrc, E' \n\t;') || E');\nEND');
        converted := converted + 1;
    END LOOP;
    RETURN converted;
END
$do$;

SELECT spona_plan_cache_helpers();
