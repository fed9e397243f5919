using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>
/// Sends through the silo's <see cref="OutboundGate"/>, which picks the lane and the deadline (CONTRACT §8.2) from
/// what this activation's earlier sends did: so one instance per destination activation.
/// </summary>
public sealed class GatedBatchSender(PostHogClient postHog, OutboundGate gate) : IBatchSender
{
    private readonly SendHistory _history = new();

    public Task<SendOutcome> SendAsync(string endpoint, byte[] gzippedBatch, CancellationToken cancellationToken) =>
        gate.SendAsync(_history, (deadline, ct) => postHog.SendBatchAsync(endpoint, gzippedBatch, deadline, ct), cancellationToken);

    public Task<ConnectionTestResult> TestKeyAsync(string apiKey, string endpoint, CancellationToken cancellationToken) =>
        postHog.TestConnectionAsync(apiKey, endpoint, cancellationToken);
}
