using BroadcastGrains.Destinations;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// Where one workspace's records go, as this silo's route cache knows it. <paramref name="StoresText"/>: some
/// destination sends prompts and completions, so the journal may keep them; otherwise it keeps the records
/// without that text (or not at all when there are no destinations).
/// </summary>
public readonly record struct IngestRoute(IDestinationGrain[] Destinations, bool StoresText);
