using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.Operations;

/// <summary>Bound as <c>Broadcast:MemoryTrim</c>.</summary>
public sealed class MemoryTrimOptions : IValidatableObject
{
    public const string Section = "Broadcast:MemoryTrim";

    public bool Enabled { get; set; } = true;
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>At most this much allocated during one check interval counts as quiet.</summary>
    [Range(0, long.MaxValue, ErrorMessage = Section + ":IdleAllocationBytes must not be negative.")]
    public long IdleAllocationBytes { get; set; } = 32L * 1024 * 1024;
    [Range(0, long.MaxValue, ErrorMessage = Section + ":MinCollectedActivations must not be negative.")]
    public long MinCollectedActivations { get; set; } = 1_000;
    [Range(0, long.MaxValue, ErrorMessage = Section + ":MinCommittedGrowthBytes must not be negative.")]
    public long MinCommittedGrowthBytes { get; set; } = 128L * 1024 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CheckInterval <= TimeSpan.Zero) yield return new ValidationResult($"{Section}:CheckInterval must be longer than zero.", [nameof(CheckInterval)]);
    }
}
