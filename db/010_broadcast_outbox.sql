-- 010_broadcast_outbox.sql
-- BroadcastGrains' own durable delivery tables (Postgres mode).
--
-- broadcast_outbox: events accepted for one destination and not yet delivered. One IDestinationGrain
--   activation owns a destination_key ("workspaceId/destinationId") and is the only writer of its rows, so it
--   assigns seq itself (max(seq) + 1 on activation, then counting up): seq is strictly increasing per
--   destination and gives the acceptance order. Rows are removed once PostHog accepted them, or moved to
--   broadcast_dead_letters. payload is the mapped PostHog event JSON (UTF-8), privacy/sampling already applied.
-- broadcast_dead_letters: events given up on, with why.

CREATE TABLE IF NOT EXISTS broadcast_outbox
(
    destination_key text        NOT NULL,
    seq             bigint      NOT NULL,
    generation_id   text        NOT NULL,
    accepted_at     timestamptz NOT NULL DEFAULT now(),
    payload         bytea       NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    CONSTRAINT broadcast_outbox_pkey PRIMARY KEY (destination_key, seq),
    CONSTRAINT broadcast_outbox_seq_positive CHECK (seq > 0),
    CONSTRAINT broadcast_outbox_attempts_non_negative CHECK (attempts >= 0)
);

CREATE TABLE IF NOT EXISTS broadcast_dead_letters
(
    id              bigserial   NOT NULL,
    destination_key text        NOT NULL,
    generation_id   text        NOT NULL,
    reason          text        NOT NULL,
    http_status     integer     NULL,
    failed_at       timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    payload         bytea       NOT NULL,
    CONSTRAINT broadcast_dead_letters_pkey PRIMARY KEY (id),
    CONSTRAINT broadcast_dead_letters_attempts_non_negative CHECK (attempts >= 0)
);

CREATE INDEX IF NOT EXISTS broadcast_dead_letters_destination_failed_idx
    ON broadcast_dead_letters (destination_key, failed_at);

SELECT bg_register_script('010_broadcast_outbox', 1, 'broadcast_outbox + broadcast_dead_letters');
