-- 002_orleans_clustering.sql
-- Membership storage for Microsoft.Orleans.Clustering.AdoNet 10.4.2 (Invariant "Npgsql").
--
-- Contract (read from the provider, not negotiable):
--   * parameters: @DeploymentId (= ClusterOptions.ClusterId), @Address (text), @Port, @Generation,
--     @SiloName, @HostName, @Status (SiloStatus as int: 3 = Active, 6 = Dead), @ProxyPort, @StartTime,
--     @IAmAliveTime (UTC DateTime sent as timestamptz), @SuspectTimes (text or NULL), @Version (int)
--   * read queries return the columns Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
--     SuspectTimes, StartTime, IAmAliveTime, Version (looked up by name). Membership reads must return at
--     least the cluster's version row (member columns NULL) even when no silo is registered.
--   * the table version is the etag: insert/update succeed only when @Version equals the stored version,
--     and then bump it by one, atomically with the member row change. They answer one boolean column.
--   * required keys: GatewaysQueryKey, MembershipReadRowKey, MembershipReadAllKey, InsertMembershipVersionKey,
--     UpdateIAmAlivetimeKey, InsertMembershipKey, UpdateMembershipKey, DeleteMembershipTableEntriesKey,
--     CleanupDefunctSiloEntriesKey. Optional: CleanupDefunctSiloEntryKey (per-row guarded cleanup).
--
-- Our tables use snake_case names; the queries alias them to the names the provider reads.

-- One row per cluster: the membership table version (Orleans' optimistic-concurrency token).
CREATE TABLE IF NOT EXISTS orleans_cluster_version
(
    cluster_id text        NOT NULL,
    version    integer     NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_cluster_version_pkey PRIMARY KEY (cluster_id)
);

-- One row per silo incarnation (address + port + generation).
CREATE TABLE IF NOT EXISTS orleans_cluster_silo
(
    cluster_id    text        NOT NULL,
    address       text        NOT NULL,
    port          integer     NOT NULL,
    generation    integer     NOT NULL,
    silo_name     text        NOT NULL DEFAULT '',
    host_name     text        NOT NULL DEFAULT '',
    status        integer     NOT NULL,
    proxy_port    integer     NOT NULL DEFAULT 0,
    suspect_times text        NULL,
    started_at    timestamptz NOT NULL,
    i_am_alive_at timestamptz NOT NULL,
    CONSTRAINT orleans_cluster_silo_pkey PRIMARY KEY (cluster_id, address, port, generation),
    CONSTRAINT orleans_cluster_silo_cluster_fkey FOREIGN KEY (cluster_id)
        REFERENCES orleans_cluster_version (cluster_id) ON DELETE CASCADE
);

-- Creates the cluster's version row if missing; answers whether it was created.
SELECT bg_put_orleans_query('clustering', 'InsertMembershipVersionKey', $sql$
WITH created AS (
    INSERT INTO orleans_cluster_version (cluster_id)
    VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING cluster_id
)
SELECT EXISTS (SELECT 1 FROM created) AS "Created";
$sql$);

-- Adds a silo row and bumps the version, both or neither. The version row is locked first, so two silos
-- racing with the same @Version cannot both win.
SELECT bg_put_orleans_query('clustering', 'InsertMembershipKey', $sql$
WITH expected AS (
    SELECT cv.cluster_id
    FROM orleans_cluster_version cv
    WHERE cv.cluster_id = @DeploymentId
      AND cv.version = @Version
    FOR UPDATE
), added AS (
    INSERT INTO orleans_cluster_silo
        (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port,
         started_at, i_am_alive_at)
    SELECT e.cluster_id, @Address, @Port, @Generation, COALESCE(@SiloName, ''), COALESCE(@HostName, ''),
           @Status, COALESCE(@ProxyPort, 0), @StartTime, @IAmAliveTime
    FROM expected e
    ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
    RETURNING cluster_id
), bumped AS (
    UPDATE orleans_cluster_version cv
    SET version = cv.version + 1,
        changed_at = now()
    FROM added a
    WHERE cv.cluster_id = a.cluster_id
    RETURNING cv.version
)
SELECT EXISTS (SELECT 1 FROM bumped) AS "Applied";
$sql$);

-- Changes status / suspicions / liveness of an existing silo row and bumps the version, both or neither.
SELECT bg_put_orleans_query('clustering', 'UpdateMembershipKey', $sql$
WITH expected AS (
    SELECT cv.cluster_id
    FROM orleans_cluster_version cv
    WHERE cv.cluster_id = @DeploymentId
      AND cv.version = @Version
    FOR UPDATE
), changed AS (
    UPDATE orleans_cluster_silo s
    SET status = @Status,
        suspect_times = @SuspectTimes,
        i_am_alive_at = @IAmAliveTime
    FROM expected e
    WHERE s.cluster_id = e.cluster_id
      AND s.address = @Address
      AND s.port = @Port
      AND s.generation = @Generation
    RETURNING s.cluster_id
), bumped AS (
    UPDATE orleans_cluster_version cv
    SET version = cv.version + 1,
        changed_at = now()
    FROM changed c
    WHERE cv.cluster_id = c.cluster_id
    RETURNING cv.version
)
SELECT EXISTS (SELECT 1 FROM bumped) AS "Applied";
$sql$);

-- Heartbeat: no version check and no version bump (the provider ignores the outcome).
SELECT bg_put_orleans_query('clustering', 'UpdateIAmAlivetimeKey', $sql$
UPDATE orleans_cluster_silo
SET i_am_alive_at = @IAmAliveTime
WHERE cluster_id = @DeploymentId
  AND address = @Address
  AND port = @Port
  AND generation = @Generation;
$sql$);

-- One silo (or none) plus the cluster version; the LEFT JOIN keeps the version row when the silo is unknown.
SELECT bg_put_orleans_query('clustering', 'MembershipReadRowKey', $sql$
SELECT s.address       AS "Address",
       s.port          AS "Port",
       s.generation    AS "Generation",
       s.silo_name     AS "SiloName",
       s.host_name     AS "HostName",
       s.status        AS "Status",
       s.proxy_port    AS "ProxyPort",
       s.suspect_times AS "SuspectTimes",
       s.started_at    AS "StartTime",
       s.i_am_alive_at AS "IAmAliveTime",
       cv.version      AS "Version"
FROM orleans_cluster_version cv
LEFT JOIN orleans_cluster_silo s
       ON s.cluster_id = cv.cluster_id
      AND s.address = @Address
      AND s.port = @Port
      AND s.generation = @Generation
WHERE cv.cluster_id = @DeploymentId;
$sql$);

-- Every silo of the cluster plus the version (one row with NULL members when the cluster is empty).
SELECT bg_put_orleans_query('clustering', 'MembershipReadAllKey', $sql$
SELECT s.address       AS "Address",
       s.port          AS "Port",
       s.generation    AS "Generation",
       s.silo_name     AS "SiloName",
       s.host_name     AS "HostName",
       s.status        AS "Status",
       s.proxy_port    AS "ProxyPort",
       s.suspect_times AS "SuspectTimes",
       s.started_at    AS "StartTime",
       s.i_am_alive_at AS "IAmAliveTime",
       cv.version      AS "Version"
FROM orleans_cluster_version cv
LEFT JOIN orleans_cluster_silo s
       ON s.cluster_id = cv.cluster_id
WHERE cv.cluster_id = @DeploymentId;
$sql$);

-- Gateways that clients may connect to (@Status is Active = 3).
SELECT bg_put_orleans_query('clustering', 'GatewaysQueryKey', $sql$
SELECT s.address    AS "Address",
       s.proxy_port AS "ProxyPort",
       s.generation AS "Generation"
FROM orleans_cluster_silo s
WHERE s.cluster_id = @DeploymentId
  AND s.status = @Status
  AND s.proxy_port > 0;
$sql$);

-- Drops a whole cluster: the silo rows go with the version row (ON DELETE CASCADE).
SELECT bg_put_orleans_query('clustering', 'DeleteMembershipTableEntriesKey', $sql$
DELETE FROM orleans_cluster_version
WHERE cluster_id = @DeploymentId;
$sql$);

-- Fallback bulk cleanup (used only when CleanupDefunctSiloEntryKey is absent): forget silos that are Dead (6)
-- and whose last sign of life is older than the cutoff passed in @IAmAliveTime.
SELECT bg_put_orleans_query('clustering', 'CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM orleans_cluster_silo
WHERE cluster_id = @DeploymentId
  AND status = 6
  AND GREATEST(started_at, i_am_alive_at) < @IAmAliveTime;
$sql$);

-- Guarded single-row cleanup. The provider reads all members, picks Dead ones older than the cutoff and
-- then deletes each with the StartTime / IAmAliveTime it saw, so a row that changed meanwhile survives.
SELECT bg_put_orleans_query('clustering', 'CleanupDefunctSiloEntryKey', $sql$
DELETE FROM orleans_cluster_silo
WHERE cluster_id = @DeploymentId
  AND address = @Address
  AND port = @Port
  AND generation = @Generation
  AND status = 6
  AND started_at = @StartTime
  AND i_am_alive_at = @IAmAliveTime;
$sql$);

SELECT bg_register_script('002_orleans_clustering', 1, 'Orleans AdoNet clustering: tables + 10 named queries');
