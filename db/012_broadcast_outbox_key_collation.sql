-- 012_broadcast_outbox_key_collation.sql
-- destination_key is an opaque id ("workspaceId/destinationId"): nothing sorts it for people, so its btree
-- indexes compare bytes (COLLATE "C") instead of going through the database's locale for every comparison of
-- every insert, delete and lookup. Changing the collation rebuilds the indexes once; the DO block makes the
-- script a no-op when the columns already use "C".

DO $$
BEGIN
    IF EXISTS (
        SELECT 1
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_collation k ON k.oid = a.attcollation
        WHERE c.relname IN ('broadcast_outbox', 'broadcast_dead_letters')
          AND c.relnamespace = current_schema()::regnamespace
          AND a.attname = 'destination_key'
          AND k.collname <> 'C')
    THEN
        ALTER TABLE broadcast_outbox ALTER COLUMN destination_key TYPE text COLLATE "C";
        ALTER TABLE broadcast_dead_letters ALTER COLUMN destination_key TYPE text COLLATE "C";
    END IF;
END
$$;

SELECT bg_register_script('012_broadcast_outbox_key_collation', 1, 'destination_key compared bytewise');
