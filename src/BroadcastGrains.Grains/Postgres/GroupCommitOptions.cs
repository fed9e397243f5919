using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Bounds of the silo's group commits (the ingest journal and the outbox appends, each separately), bound from
/// <c>Broadcast:Ingest</c>. A request waits for its commit at most <see cref="CommitTimeout"/>, and no more than
/// <see cref="CommitQueueItems"/> items or <see cref="CommitQueueBytes"/> bytes wait at a time; past either bound
/// ingest answers 503 with Retry-After instead of waiting on, or piling up in memory behind, a database that does
/// not keep up.
/// </summary>
public sealed class GroupCommitOptions : IValidatableObject
{
    public const string Section = "Broadcast:Ingest";

    /// <summary>
    /// How long an item may wait for its commit, queueing included. A COPY still running at its oldest item's
    /// deadline is cancelled (Npgsql then gives the server its <c>CancellationTimeout</c>, 2 s by default, before
    /// it drops the connection), and items still queued past theirs are never written.
    /// </summary>
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Items (journal rows: requests; outbox: one destination's events of one request) admitted and not yet answered.</summary>
    [Range(1, int.MaxValue, ErrorMessage = Section + ":CommitQueueItems must be at least {1}.")]
    public int CommitQueueItems { get; set; } = 50_000;

    /// <summary>Payload bytes admitted and not yet answered (journal: request bodies; outbox: mapped events).</summary>
    [Range(1, long.MaxValue, ErrorMessage = Section + ":CommitQueueBytes must be at least {1}.")]
    public long CommitQueueBytes { get; set; } = 256L * 1024 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CommitTimeout <= TimeSpan.Zero) yield return new ValidationResult($"{Section}:CommitTimeout must be longer than zero.", [nameof(CommitTimeout)]);
    }
}
