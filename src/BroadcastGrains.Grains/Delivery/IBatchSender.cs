using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>How a <see cref="DeliveryLoop"/> reaches PostHog: one per destination activation.</summary>
public interface IBatchSender
{
    /// <summary>POSTs one gzipped /batch/ body. Never throws for the send's sake: failures come back as outcomes.</summary>
    Task<SendOutcome> SendAsync(string endpoint, byte[] gzippedBatch, CancellationToken cancellationToken);

    /// <summary>Test Connection: whether PostHog accepts the key again (a paused destination asks this).</summary>
    Task<ConnectionTestResult> TestKeyAsync(string apiKey, string endpoint, CancellationToken cancellationToken);
}
