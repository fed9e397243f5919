using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Grains.Journal;

/// <summary>Bound from <c>Broadcast:Journal</c> (Postgres mode).</summary>
public sealed class JournalOptions : IValidatableObject
{
    public const string Section = "Broadcast:Journal";

    /// <summary>
    /// Whether accepted requests are committed as one journal row each, letting destinations on the same silo
    /// keep their events in memory (the fast path). Off: every event is an outbox row before the 202.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Concurrent group commits of journal rows. Each waits for its WAL flush; while one waits, the next gathers
    /// the requests that arrive meanwhile.
    /// </summary>
    [Range(1, 64, ErrorMessage = Section + ":Writers must be between {1} and {2}.")]
    public int Writers { get; set; } = 2;

    /// <summary>Held events older than this become outbox rows, so a journal row never lives long.</summary>
    public TimeSpan MaxHold { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxHold < TimeSpan.Zero) yield return new ValidationResult($"{Section}:MaxHold must not be negative.", [nameof(MaxHold)]);
    }
}
