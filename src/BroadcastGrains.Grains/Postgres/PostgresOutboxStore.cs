using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// The durable outbox (Postgres mode): opens each destination activation's <see cref="PostgresDestinationOutbox"/>,
/// which owns its <see cref="OutboxWindow"/>. The only state kept across activations is the held events a failed close
/// left behind (<see cref="StrandedHolds"/>).
/// </summary>
public sealed class PostgresOutboxStore(
    PostgresOutboxRepository repository,
    OutboxAppendBatcher appends,
    OutboxDeleteBatcher deletes,
    IngestJournal journal,
    IOptions<JournalOptions> journalOptions,
    MemoryBudget budget,
    TimeProvider clock) : IOutboxStore
{
    private readonly OutboxWindowContext _windows = new(journal, budget, clock, journalOptions.Value.MaxHold);

    internal PostgresOutboxRepository Repository => repository;
    internal OutboxAppendBatcher Appends => appends;
    internal OutboxDeleteBatcher Deletes => deletes;
    internal StrandedHolds Stranded { get; } = new();

    public async Task<(IDestinationOutbox Outbox, OutboxSummary Stored)> OpenAsync(string destinationKey)
    {
        if (Stranded.TryTake(destinationKey, out var held)) await WriteStrandedAsync(destinationKey, held);
        await deletes.FlushAsync();
        var stored = await repository.SummarizeAsync(destinationKey);
        return (new PostgresDestinationOutbox(destinationKey, this, _windows, complete: stored.Pending == 0), stored);
    }

    /// <summary>
    /// The destination may have lived on another silo since and used their sequence numbers, so the stranded events
    /// become rows numbered after the table's. If that fails too, they wait for the next activation again.
    /// </summary>
    private async Task WriteStrandedAsync(string destinationKey, List<OutboxEvent> held)
    {
        try
        {
            await deletes.FlushAsync();
            var maxSeq = (await repository.SummarizeAsync(destinationKey)).MaxSeq;
            await appends.AppendAsync(destinationKey, held.Select(e => e with { Seq = ++maxSeq }).ToList());
        }
        catch
        {
            Stranded.Keep(destinationKey, held);
            throw;
        }
        long bytes = 0;
        foreach (var e in held) bytes += e.Payload.Length;
        budget.Release(bytes);
        OutboxWindow.ReleaseHolds(journal, held);
    }

    public Task<long> SweepDeadLettersAsync(CancellationToken cancellationToken) => repository.SweepDeadLettersAsync(cancellationToken);
}
