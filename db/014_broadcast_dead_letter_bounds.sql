-- 014_broadcast_dead_letter_bounds.sql
-- Dead letters are bounded per destination (Broadcast:Delivery:MaxDeadLetters, DeadLetterRetention): the oldest
-- fall out first, and what falls out is counted here rather than vanishing.
--
-- broadcast_dead_letter_drops: per destination, how many dead letters were removed because the destination
--   held more than its cap (cap) or because they outlived the retention (retention). Written by the same
--   statement that removes them; deleted with the destination.
-- broadcast_dead_letters_failed_idx: the retention sweep removes old rows of every destination at once, by
--   failed_at alone (the existing index leads with destination_key).

CREATE TABLE IF NOT EXISTS broadcast_dead_letter_drops
(
    destination_key text   COLLATE "C" NOT NULL,
    cap             bigint NOT NULL DEFAULT 0,
    retention       bigint NOT NULL DEFAULT 0,
    CONSTRAINT broadcast_dead_letter_drops_pkey PRIMARY KEY (destination_key),
    CONSTRAINT broadcast_dead_letter_drops_non_negative CHECK (cap >= 0 AND retention >= 0)
);

CREATE INDEX IF NOT EXISTS broadcast_dead_letters_failed_idx
    ON broadcast_dead_letters (failed_at);

SELECT bg_register_script('014_broadcast_dead_letter_bounds', 1, 'broadcast_dead_letter_drops + dead letters by failed_at');
