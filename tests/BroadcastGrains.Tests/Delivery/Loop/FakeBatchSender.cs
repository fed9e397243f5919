using System.IO.Compression;
using System.Text.Json;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Tests.Delivery.Loop;

/// <summary>
/// PostHog as a delivery loop sees it: every /batch/ body is unpacked and its events' uuids recorded; the answer is
/// <see cref="Answer"/>'s, or, while <see cref="Hold"/> is set, whatever the test completes it with (a cancelled send
/// comes back as a failed outcome, as the gate reports it).
/// </summary>
internal sealed class FakeBatchSender : IBatchSender
{
    public List<IReadOnlyList<string>> Batches { get; } = [];
    public List<string> ApiKeys { get; } = [];
    public Func<IReadOnlyList<string>, SendOutcome> Answer { get; set; } = _ => new SendOutcome(200, null, null);
    public TaskCompletionSource<SendOutcome>? Hold { get; set; }
    public CancellationToken LastToken { get; private set; }
    public ConnectionTestResult KeyTest { get; set; } = ConnectionTestResult.Passed;
    public int KeyTests { get; private set; }

    /// <summary>Answers the send waiting on <see cref="Hold"/>; later sends get <see cref="Answer"/>'s answer again.</summary>
    public void Release(SendOutcome outcome)
    {
        var hold = Hold ?? throw new InvalidOperationException("no send is held");
        Hold = null;
        hold.SetResult(outcome);
    }

    public async Task<SendOutcome> SendAsync(string endpoint, byte[] gzippedBatch, CancellationToken cancellationToken)
    {
        var uuids = Uuids(gzippedBatch, out var apiKey);
        Batches.Add(uuids);
        ApiKeys.Add(apiKey);
        LastToken = cancellationToken;
        if (Hold is not { } hold) return Answer(uuids);
        await using var cancelled = cancellationToken.Register(() => hold.TrySetResult(new SendOutcome(null, null, "cancelled")));
        return await hold.Task;
    }

    public Task<ConnectionTestResult> TestKeyAsync(string apiKey, string endpoint, CancellationToken cancellationToken)
    {
        KeyTests++;
        return Task.FromResult(KeyTest);
    }

    private static List<string> Uuids(byte[] gzipped, out string apiKey)
    {
        using var gzip = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gzip);
        apiKey = doc.RootElement.GetProperty("api_key").GetString()!;
        return doc.RootElement.GetProperty("batch").EnumerateArray().Select(e => e.GetProperty("uuid").GetString()!).ToList();
    }
}
