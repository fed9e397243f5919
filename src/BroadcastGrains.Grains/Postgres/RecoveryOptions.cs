using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>Bound from <c>Broadcast:Recovery</c>.</summary>
public sealed class RecoveryOptions : IValidatableObject
{
    public const string Section = "Broadcast:Recovery";

    /// <summary>
    /// How often every silo runs its recovery steps, besides at start-up and whenever a silo of the cluster is
    /// declared dead. A safety net, so it can be slow: waking destinations scans the outbox index.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SweepInterval <= TimeSpan.Zero) yield return new ValidationResult($"{Section}:SweepInterval must be longer than zero.", [nameof(SweepInterval)]);
    }
}
