using Orleans.Services;

namespace BroadcastGrains.Host.Routing;

/// <summary>
/// One per silo (a grain service): ingests the share of a request that another silo accepted and that this silo owns
/// (issue 18). The share travels as the JSON of its records — the body the journal keeps — so the message is one
/// byte array and this silo parses it with the same parser that validated it.
/// </summary>
[Alias("BroadcastGrains.IIngestShareService")]
public interface IIngestShareService : IGrainService
{
    /// <summary>Returns once the share is stored (committed, in Postgres mode); the result is how many deliveries were queued.</summary>
    [Alias("Ingest")]
    Task<int> Ingest([Immutable] byte[] body, DateTimeOffset receivedAt);
}
