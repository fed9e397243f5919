using BroadcastGrains.Bench.Run;

namespace BroadcastGrains.IntegrationTests.Bench;

public class GcPhaseTests
{
    private static string Metrics(long gen0, long gen1, long gen2, double paused) => $$"""
        # TYPE dotnet_gc_collections_total counter
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} {{gen2}}
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen1"} {{gen1}}
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} {{gen0}}
        # TYPE dotnet_gc_pause_time_seconds_total counter
        dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} {{paused.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
        dotnet_gc_heap_total_allocated_bytes_total{otel_scope_name="System.Runtime"} 4289364056
        """;

    [Fact]
    public void The_phase_is_the_difference_of_the_two_readings()
    {
        var gc = GcPhase.Between(Metrics(35, 15, 15, 0.927293), Metrics(102, 32, 23, 2.71914));

        Assert.NotNull(gc);
        Assert.Equal(67 + 17 + 8, gc.Value.Collections);
        Assert.Equal(1.791847, gc.Value.PausedSeconds, 6);
        Assert.Equal("92 collections, 1792 ms paused (6.0 % of the phase)", gc.Value.Describe(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Without_the_runtime_meter_there_is_no_reading()
    {
        Assert.Null(GcPhase.Between(null, Metrics(1, 1, 1, 0.1)));
        Assert.Null(GcPhase.Between("# nothing here\nother_metric 1\n", Metrics(1, 1, 1, 0.1)));
    }
}
