namespace BroadcastGrains.Host.Operations;

/// <summary>
/// Which of Orleans' own instruments we export. Most of the `Microsoft.Orleans` meter records once per grain
/// message (request latency histograms, per-message counters and sizes); with a hundred grain calls per ingest
/// request that measured as a few per cent of the silo's CPU for series nobody alerts on. We keep the ones an
/// operator of this service reads: activations, collection, storage, failures and load shedding.
/// </summary>
public static class OrleansMetricSelection
{
    public const string MeterName = "Microsoft.Orleans";

    private static readonly HashSet<string> Exported = new(StringComparer.Ordinal)
    {
        "orleans-grains",
        "orleans-catalog-activations",
        "orleans-catalog-activation-working-set",
        "orleans-catalog-activation-created",
        "orleans-catalog-activation-destroyed",
        "orleans-catalog-activation-collections",
        "orleans-catalog-activation-failed-to-activate",
        "orleans-catalog-activation-shutdown",
        "orleans-storage-read-errors",
        "orleans-storage-write-errors",
        "orleans-storage-clear-errors",
        "orleans-storage-read-latency",
        "orleans-storage-write-latency",
        "orleans-messaging-expired",
        "orleans-messaging-rejected",
        "orleans-messaging-rerouted",
        "orleans-messaging-sent-failed",
        "orleans-messaging-sent-dropped",
        "orleans-app-requests-timedout",
        "orleans-scheduler-long-running-turns",
        "orleans-gateway-load-shedding",
        "orleans-networking-sockets-opened",
        "orleans-networking-sockets-closed",
        "orleans-runtime-available-memory",
        "orleans-runtime-total-physical-memory",
    };

    public static bool IsExported(string instrumentName) => Exported.Contains(instrumentName);
}
