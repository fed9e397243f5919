-- 020_broadcast_data_protection_keys.sql
-- broadcast_data_protection_keys: the ASP.NET Core Data Protection key ring shared by every silo (Postgres mode).
--   Each row is one XML element Data Protection asked to store (a key, or a revocation), kept as given. The
--   stored PostHog API keys in orleans_grain_state are encrypted with these keys; unless the host is configured to
--   encrypt the ring itself with a certificate (Broadcast:DataProtection:CertificatePath), whoever reads this table
--   can decrypt them, so a dump meant for others should leave it out (pg_dump --exclude-table).

CREATE TABLE IF NOT EXISTS broadcast_data_protection_keys
(
    id            bigint      GENERATED ALWAYS AS IDENTITY,
    friendly_name text        NOT NULL,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT broadcast_data_protection_keys_pkey PRIMARY KEY (id)
);

SELECT bg_register_script('020_broadcast_data_protection_keys', 1, 'broadcast_data_protection_keys (Data Protection key ring)');
