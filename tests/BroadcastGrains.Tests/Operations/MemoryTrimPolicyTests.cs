using BroadcastGrains.Host.Operations;

namespace BroadcastGrains.Tests.Operations;

public sealed class MemoryTrimPolicyTests
{
    private const long MiB = 1024 * 1024;
    private static readonly MemoryTrimOptions Defaults = new();

    [Fact]
    public void A_quiet_silo_whose_idle_grains_were_collected_is_trimmed() =>
        Assert.True(MemoryTrimPolicy.ShouldTrim(allocatedBytes: 2 * MiB, activationsDropped: 50_000, committedGrowth: 0, stillDropping: true, Defaults));

    [Fact]
    public void A_quiet_silo_that_grew_its_heap_is_trimmed() =>
        Assert.True(MemoryTrimPolicy.ShouldTrim(allocatedBytes: 2 * MiB, activationsDropped: 0, committedGrowth: 300 * MiB, stillDropping: false, Defaults));

    [Fact]
    public void A_busy_silo_is_never_paused_for_a_trim() =>
        Assert.False(MemoryTrimPolicy.ShouldTrim(allocatedBytes: 900 * MiB, activationsDropped: 50_000, committedGrowth: 300 * MiB, stillDropping: false, Defaults));

    [Fact]
    public void A_quiet_silo_with_nothing_to_give_back_is_left_alone() =>
        Assert.False(MemoryTrimPolicy.ShouldTrim(allocatedBytes: 2 * MiB, activationsDropped: 10, committedGrowth: 4 * MiB, stillDropping: false, Defaults));

    [Fact]
    public void Trimming_can_be_switched_off() =>
        Assert.False(MemoryTrimPolicy.ShouldTrim(0, 50_000, 300 * MiB, false, new MemoryTrimOptions { Enabled = false }));

    [Theory]
    [InlineData(999, false)]
    [InlineData(1_000, true)]
    public void During_a_wave_collected_activations_count_from_the_configured_minimum(long dropped, bool expected) =>
        Assert.Equal(expected, MemoryTrimPolicy.ShouldTrim(0, dropped, 0, stillDropping: true, Defaults));

    [Theory]
    [InlineData(99, false)]
    [InlineData(100, true)]
    public void Once_a_wave_has_ended_its_tail_is_trimmed_from_a_tenth_of_the_minimum(long dropped, bool expected) =>
        Assert.Equal(expected, MemoryTrimPolicy.ShouldTrim(0, dropped, 0, stillDropping: false, Defaults));

    [Fact]
    public void A_minimum_of_one_still_needs_a_collected_activation_after_the_wave() =>
        Assert.False(MemoryTrimPolicy.ShouldTrim(0, 0, 0, stillDropping: false, new MemoryTrimOptions { MinCollectedActivations = 1 }));
}
