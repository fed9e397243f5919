-- 013_broadcast_ingest_journal.sql
-- broadcast_ingest_journal: one row per accepted POST /v1/traces request (Postgres mode), written by the silo
--   that accepted it in a group commit before the 202. It makes the request durable as a whole, so that the
--   destinations living on that same silo may keep the request's events in memory only, instead of one outbox
--   row inserted and deleted per event. The row is deleted once every one of those events is delivered,
--   dead-lettered, or moved into broadcast_outbox (a destination that fails, goes idle or holds events too long
--   moves them there). Destinations on other silos store their events in broadcast_outbox as before.
--   owner is the Orleans silo address (with its generation) that is responsible for the row: when that silo is
--   dead, another silo takes the row over and ingests the body again. Events then reach PostHog a second time
--   at most, under the same uuid (deterministic per generation and destination), which PostHog deduplicates.
--   body is the request body as received (validated); received_at is the acceptance time the parser used.

CREATE TABLE IF NOT EXISTS broadcast_ingest_journal
(
    id          uuid        NOT NULL,
    owner       text        COLLATE "C" NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    received_at timestamptz NOT NULL,
    body        bytea       NOT NULL,
    CONSTRAINT broadcast_ingest_journal_pkey PRIMARY KEY (id)
);

-- Bodies are up to a few MB of JSON that lives for about a second: lz4 compresses it several-fold at a fraction
-- of pglz's cost (and of the WAL it saves). A server built without lz4 keeps the default.
DO $$
BEGIN
    ALTER TABLE broadcast_ingest_journal ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available: broadcast_ingest_journal.body keeps the default compression';
END
$$;

SELECT bg_register_script('013_broadcast_ingest_journal', 1, 'broadcast_ingest_journal: accepted requests as one row each');
