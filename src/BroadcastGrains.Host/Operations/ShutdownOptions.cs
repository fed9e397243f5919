using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.Operations;

/// <summary>Bound from <c>Broadcast:Shutdown</c>.</summary>
public sealed class ShutdownOptions : IValidatableObject
{
    public const string Section = "Broadcast:Shutdown";

    /// <summary>
    /// After SIGTERM the API keeps answering (traces with 503, /readyz with 503) this long, so that a load
    /// balancer notices and stops routing here before the listener closes.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long in-flight sends and (Memory mode) buffered events get to go out before the silo stops.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(20);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DrainDelay < TimeSpan.Zero) yield return new ValidationResult($"{Section}:DrainDelay must not be negative.", [nameof(DrainDelay)]);
        if (GracePeriod <= TimeSpan.Zero) yield return new ValidationResult($"{Section}:GracePeriod must be longer than zero.", [nameof(GracePeriod)]);
    }
}
