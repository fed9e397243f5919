-- 011_broadcast_outbox_storage.sql
-- How outbox rows are stored. A mapped event is typically 1-2 KB, right around PostgreSQL's default TOAST
-- threshold (~2 KB per row): past it every insert would try to compress the payload (pglz, expensive) and
-- possibly move it to the TOAST table, for rows that live only until the next batch is delivered. Keeping rows
-- up to ~8 KB inline and uncompressed trades a little disk for a lot of CPU; larger payloads (rare, at most
-- 900 KB) still go out of line, uncompressed: the send path gzips them anyway.

ALTER TABLE broadcast_outbox SET (toast_tuple_target = 8160);
ALTER TABLE broadcast_outbox ALTER COLUMN payload SET STORAGE EXTERNAL;
ALTER TABLE broadcast_dead_letters ALTER COLUMN payload SET STORAGE EXTERNAL;

SELECT bg_register_script('011_broadcast_outbox_storage', 1, 'outbox rows inline and uncompressed up to 8 KB');
