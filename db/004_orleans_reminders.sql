-- 004_orleans_reminders.sql
-- Reminder table for Microsoft.Orleans.Reminders.AdoNet 10.4.2 (Invariant "Npgsql").
--
-- Contract (read from the provider, not negotiable):
--   * required keys: ReadReminderRowsKey, ReadReminderRowKey, ReadRangeRows1Key, ReadRangeRows2Key,
--     UpsertReminderRowKey, DeleteReminderRowKey, DeleteReminderRowsKey.
--   * parameters: @ServiceId (text, ClusterOptions.ServiceId), @GrainId (text, GrainId.ToString()),
--     @ReminderName (text), @StartTime (UTC DateTime as timestamptz), @Period (milliseconds; int, or bigint
--     when it does not fit), @GrainHash / @BeginHash / @EndHash (the uint ring hashes cast to signed int),
--     @Version (int etag).
--   * read queries return columns GrainId, ReminderName, StartTime, Period (ms), Version, by name.
--   * ring ranges: ReadRangeRows1Key is used when (int)begin < (int)end and covers begin < hash <= end;
--     ReadRangeRows2Key covers the wrapping case hash > begin OR hash <= end (and begin = end: everything).
--   * UpsertReminderRowKey answers the new Version; DeleteReminderRowKey answers one boolean column.

CREATE TABLE IF NOT EXISTS orleans_reminder
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_at      timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL DEFAULT 0,
    CONSTRAINT orleans_reminder_pkey PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Ring-range scans (which reminders does this silo own?).
CREATE INDEX IF NOT EXISTS orleans_reminder_ring_idx ON orleans_reminder (service_id, grain_hash);

SELECT bg_put_orleans_query('reminders', 'ReadReminderRowsKey', $sql$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_at      AS "StartTime",
       r.period_ms     AS "Period",
       r.version       AS "Version"
FROM orleans_reminder r
WHERE r.service_id = @ServiceId
  AND r.grain_id = @GrainId;
$sql$);

SELECT bg_put_orleans_query('reminders', 'ReadReminderRowKey', $sql$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_at      AS "StartTime",
       r.period_ms     AS "Period",
       r.version       AS "Version"
FROM orleans_reminder r
WHERE r.service_id = @ServiceId
  AND r.grain_id = @GrainId
  AND r.reminder_name = @ReminderName;
$sql$);

-- Non-wrapping slice of the ring: (begin, end].
SELECT bg_put_orleans_query('reminders', 'ReadRangeRows1Key', $sql$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_at      AS "StartTime",
       r.period_ms     AS "Period",
       r.version       AS "Version"
FROM orleans_reminder r
WHERE r.service_id = @ServiceId
  AND r.grain_hash > @BeginHash
  AND r.grain_hash <= @EndHash;
$sql$);

-- Wrapping slice of the ring: (begin, max] plus [min, end].
SELECT bg_put_orleans_query('reminders', 'ReadRangeRows2Key', $sql$
SELECT r.grain_id      AS "GrainId",
       r.reminder_name AS "ReminderName",
       r.start_at      AS "StartTime",
       r.period_ms     AS "Period",
       r.version       AS "Version"
FROM orleans_reminder r
WHERE r.service_id = @ServiceId
  AND (r.grain_hash > @BeginHash OR r.grain_hash <= @EndHash);
$sql$);

-- Insert or replace; every change moves the version (the reminder's etag) forward.
SELECT bg_put_orleans_query('reminders', 'UpsertReminderRowKey', $sql$
INSERT INTO orleans_reminder AS r
    (service_id, grain_id, reminder_name, start_at, period_ms, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT ON CONSTRAINT orleans_reminder_pkey DO UPDATE
    SET start_at = excluded.start_at,
        period_ms = excluded.period_ms,
        grain_hash = excluded.grain_hash,
        version = CASE WHEN r.version >= 2147483647 THEN 0 ELSE r.version + 1 END
RETURNING r.version AS "Version";
$sql$);

-- Conditional delete: only the holder of the current etag may remove a reminder.
SELECT bg_put_orleans_query('reminders', 'DeleteReminderRowKey', $sql$
WITH removed AS (
    DELETE FROM orleans_reminder r
    WHERE r.service_id = @ServiceId
      AND r.grain_id = @GrainId
      AND r.reminder_name = @ReminderName
      AND r.version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM removed) AS "Deleted";
$sql$);

SELECT bg_put_orleans_query('reminders', 'DeleteReminderRowsKey', $sql$
DELETE FROM orleans_reminder
WHERE service_id = @ServiceId;
$sql$);

SELECT bg_register_script('004_orleans_reminders', 1, 'Orleans AdoNet reminders: table + 7 named queries');
