using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>Bound as <c>Broadcast:Ingest</c>.</summary>
public sealed class IngestOptions : IValidatableObject
{
    public const string Section = "Broadcast:Ingest";

    /// <summary>How long a silo routes a workspace's records from its cached destination list before asking the workspace grain again.</summary>
    public TimeSpan RouteCacheTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Split each request by the silo that owns each workspace and send every other owner its share in one call
    /// (issue 18). Off: the accepting silo ingests the whole request and calls each destination grain wherever it is
    /// placed (still on its owner) — for comparing the two in a benchmark, or to rule the routing out.
    /// </summary>
    public bool RouteByOwner { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RouteCacheTtl < TimeSpan.Zero) yield return new ValidationResult($"{Section}:RouteCacheTtl must not be negative.", [nameof(RouteCacheTtl)]);
    }
}
