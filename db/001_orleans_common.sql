-- 001_orleans_common.sql
-- Shared plumbing for every later script:
--   * broadcast_schema_version : one row per script of this folder (bookkeeping only)
--   * OrleansQuery             : the named-query catalogue that the Orleans AdoNet providers read at start-up
--   * bg_register_script(...)  : records that a script (at a given revision) has been applied
--   * bg_put_orleans_query(...): upserts one named query into OrleansQuery
--
-- Idempotent: safe to run any number of times. No BEGIN/COMMIT here; the migrator wraps each file in a
-- transaction and serialises runs with an advisory lock (see README.md).

-- ---------------------------------------------------------------------------------------------------------
-- Bookkeeping: which script of db/ has been applied, at which revision.
-- A script bumps its revision number when its content changes meaningfully; re-running an unchanged
-- script leaves its row untouched.
-- ---------------------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS broadcast_schema_version
(
    script_name      text        NOT NULL,
    revision         integer     NOT NULL,
    summary          text        NOT NULL DEFAULT '',
    first_applied_at timestamptz NOT NULL DEFAULT now(),
    changed_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT broadcast_schema_version_pkey PRIMARY KEY (script_name),
    CONSTRAINT broadcast_schema_version_revision_positive CHECK (revision > 0)
);

CREATE OR REPLACE FUNCTION bg_register_script(p_script text, p_revision integer, p_summary text)
RETURNS void
LANGUAGE sql
AS $body$
    INSERT INTO broadcast_schema_version AS known (script_name, revision, summary)
    VALUES (p_script, p_revision, p_summary)
    ON CONFLICT (script_name) DO UPDATE
        SET revision   = excluded.revision,
            summary    = excluded.summary,
            changed_at = now()
        -- only touch the row when something really changed, so a re-run is a no-op
        WHERE known.revision IS DISTINCT FROM excluded.revision
           OR known.summary  IS DISTINCT FROM excluded.summary;
$body$;

-- ---------------------------------------------------------------------------------------------------------
-- The query catalogue. The providers run exactly
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- (unquoted, so PostgreSQL folds it to orleansquery / querykey / querytext). The name and those two columns
-- are therefore fixed by the provider; the remaining columns are ours.
-- ---------------------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey   text        NOT NULL,
    QueryText  text        NOT NULL,
    component  text        NOT NULL,   -- clustering | persistence | reminders
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleansquery_pkey PRIMARY KEY (QueryKey),
    CONSTRAINT orleansquery_component_known CHECK (component IN ('clustering', 'persistence', 'reminders'))
);

-- Upsert one named query. The text is only rewritten when it differs, so re-running a script changes nothing.
CREATE OR REPLACE FUNCTION bg_put_orleans_query(p_component text, p_key text, p_text text)
RETURNS void
LANGUAGE sql
AS $body$
    INSERT INTO OrleansQuery AS q (QueryKey, QueryText, component)
    VALUES (p_key, btrim(p_text, E' \n\r\t'), p_component)
    ON CONFLICT (QueryKey) DO UPDATE
        SET QueryText  = excluded.QueryText,
            component  = excluded.component,
            changed_at = now()
        WHERE q.QueryText IS DISTINCT FROM excluded.QueryText
           OR q.component IS DISTINCT FROM excluded.component;
$body$;

SELECT bg_register_script('001_orleans_common', 1, 'schema bookkeeping + OrleansQuery catalogue');
