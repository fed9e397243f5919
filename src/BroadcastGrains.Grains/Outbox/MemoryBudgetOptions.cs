using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>Bound from <c>Broadcast:Memory</c>: the silo's <see cref="MemoryBudget"/>.</summary>
public sealed class MemoryBudgetOptions
{
    public const string Section = "Broadcast:Memory";

    /// <summary>Unset: <see cref="MemoryBudget.DefaultMaxBytes"/> for the storage in use.</summary>
    [Range(1, long.MaxValue, ErrorMessage = Section + ":MaxBufferedBytes must be at least {1}.")]
    public long? MaxBufferedBytes { get; set; }
}
