using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>Bound as <c>Broadcast:Ingest</c>.</summary>
public sealed class IngestOptions : IValidatableObject
{
    public const string Section = "Broadcast:Ingest";

    /// <summary>How long a silo routes a workspace's records from its cached destination list before asking the workspace grain again.</summary>
    public TimeSpan RouteCacheTtl { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RouteCacheTtl < TimeSpan.Zero) yield return new ValidationResult($"{Section}:RouteCacheTtl must not be negative.", [nameof(RouteCacheTtl)]);
    }
}
