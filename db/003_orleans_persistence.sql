-- 003_orleans_persistence.sql
-- Grain state storage for Microsoft.Orleans.Persistence.AdoNet 10.4.2 (Invariant "Npgsql").
--
-- Contract (read from the provider, not negotiable):
--   * keys loaded at start-up: WriteToStorageKey, ReadFromStorageKey, ClearStorageKey (required) and
--     DeleteStorageKey (required only when AdoNetGrainStorageOptions.DeleteStateOnClear = true).
--   * parameters, on every query: @GrainIdHash (int), @GrainIdN0 (bigint), @GrainIdN1 (bigint),
--     @GrainTypeHash (int), @GrainTypeString (text), @GrainIdExtensionString (text, NULL when absent),
--     @ServiceId (text, ClusterOptions.ServiceId); write/clear/delete add @GrainStateVersion (int, NULL when
--     the grain has no etag yet); write adds @PayloadBinary (bytea, the serialized state).
--       - integer-keyed grain: N0 = 0, N1 = the key, extension = key extension
--       - Guid-keyed grain:    N0/N1 = the two halves of the Guid, extension = key extension
--       - string-keyed grain:  N0 = N1 = 0, the WHOLE key is in @GrainIdExtensionString
--     The two hashes are only a cheap index prefix (they can collide): rows are matched on all key columns.
--   * ReadFromStorageKey returns zero or one row with columns PayloadBinary (NULL = no state) and Version.
--   * WriteToStorageKey must ALWAYS return exactly one row with column NewGrainStateVersion: the new version
--     on success, NULL on an etag mismatch (the provider then throws InconsistentStateException). Returning
--     no row would be taken as success when the grain had no etag.
--   * ClearStorageKey / DeleteStorageKey: the first column of the single returned row is the new etag, or
--     NULL on mismatch. Clear keeps the row (payload NULL, version bumped); delete removes it.
--   * the etag is the integer version rendered as text; the first write of a grain stores version 1.

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    grain_id_hash   integer     NOT NULL,
    grain_type_hash integer     NOT NULL,
    service_id      text        NOT NULL,
    grain_type      text        NOT NULL,
    grain_id_n0     bigint      NOT NULL,
    grain_id_n1     bigint      NOT NULL,
    -- key extension (or the whole string key); '' stands for "no extension"
    grain_id_ext    text        NOT NULL DEFAULT '',
    payload         bytea       NULL,
    version         integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    modified_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_grain_state_pkey PRIMARY KEY
        (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext),
    CONSTRAINT orleans_grain_state_version_positive CHECK (version > 0)
);

-- Next etag after v; wraps to 1 instead of overflowing (only equality of versions matters).
CREATE OR REPLACE FUNCTION bg_next_state_version(v integer)
RETURNS integer
LANGUAGE sql
IMMUTABLE
AS $body$
    SELECT CASE WHEN v IS NULL OR v >= 2147483647 THEN 1 ELSE v + 1 END;
$body$;

SELECT bg_put_orleans_query('persistence', 'ReadFromStorageKey', $sql$
SELECT g.payload AS "PayloadBinary",
       g.version AS "Version"
FROM orleans_grain_state g
WHERE g.grain_id_hash = @GrainIdHash
  AND g.grain_type_hash = @GrainTypeHash
  AND g.service_id = @ServiceId
  AND g.grain_type = @GrainTypeString
  AND g.grain_id_n0 = @GrainIdN0
  AND g.grain_id_n1 = @GrainIdN1
  AND g.grain_id_ext = COALESCE(@GrainIdExtensionString, '');
$sql$);

-- With an etag: replace the payload if the stored version still equals it. Without an etag: create the row,
-- unless one already exists. Either way exactly one row comes back (NULL = conflict).
SELECT bg_put_orleans_query('persistence', 'WriteToStorageKey', $sql$
WITH replaced AS (
    UPDATE orleans_grain_state g
    SET payload = @PayloadBinary,
        version = bg_next_state_version(g.version),
        modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND g.grain_id_hash = @GrainIdHash
      AND g.grain_type_hash = @GrainTypeHash
      AND g.service_id = @ServiceId
      AND g.grain_type = @GrainTypeString
      AND g.grain_id_n0 = @GrainIdN0
      AND g.grain_id_n1 = @GrainIdN1
      AND g.grain_id_ext = COALESCE(@GrainIdExtensionString, '')
      AND g.version = @GrainStateVersion
    RETURNING g.version
), created AS (
    INSERT INTO orleans_grain_state
        (grain_id_hash, grain_type_hash, service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext,
         payload, version)
    SELECT @GrainIdHash, @GrainTypeHash, @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
           COALESCE(@GrainIdExtensionString, ''), @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT ON CONSTRAINT orleans_grain_state_pkey DO NOTHING
    RETURNING version
)
SELECT COALESCE((SELECT r.version FROM replaced r), (SELECT c.version FROM created c)) AS "NewGrainStateVersion";
$sql$);

-- Keeps the row as a tombstone (payload NULL) with a new version, so the etag chain continues.
SELECT bg_put_orleans_query('persistence', 'ClearStorageKey', $sql$
WITH cleared AS (
    UPDATE orleans_grain_state g
    SET payload = NULL,
        version = bg_next_state_version(g.version),
        modified_at = now()
    WHERE g.grain_id_hash = @GrainIdHash
      AND g.grain_type_hash = @GrainTypeHash
      AND g.service_id = @ServiceId
      AND g.grain_type = @GrainTypeString
      AND g.grain_id_n0 = @GrainIdN0
      AND g.grain_id_n1 = @GrainIdN1
      AND g.grain_id_ext = COALESCE(@GrainIdExtensionString, '')
      AND g.version = @GrainStateVersion
    RETURNING g.version
)
SELECT (SELECT c.version FROM cleared c) AS "NewGrainStateVersion";
$sql$);

-- Only used with DeleteStateOnClear = true: removes the row; answers a non-NULL token on success.
SELECT bg_put_orleans_query('persistence', 'DeleteStorageKey', $sql$
WITH removed AS (
    DELETE FROM orleans_grain_state g
    WHERE g.grain_id_hash = @GrainIdHash
      AND g.grain_type_hash = @GrainTypeHash
      AND g.service_id = @ServiceId
      AND g.grain_type = @GrainTypeString
      AND g.grain_id_n0 = @GrainIdN0
      AND g.grain_id_n1 = @GrainIdN1
      AND g.grain_id_ext = COALESCE(@GrainIdExtensionString, '')
      AND g.version = @GrainStateVersion
    RETURNING g.version
)
SELECT (SELECT bg_next_state_version(r.version) FROM removed r) AS "NewGrainStateVersion";
$sql$);

SELECT bg_register_script('003_orleans_persistence', 1, 'Orleans AdoNet grain storage: table + 4 named queries');
