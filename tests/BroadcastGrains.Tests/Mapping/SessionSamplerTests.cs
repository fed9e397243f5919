using BroadcastGrains.PostHog.Mapping;

namespace BroadcastGrains.Tests.Mapping;

public class SessionSamplerTests
{
    [Fact]
    public void Rate_one_or_more_keeps_everything()
    {
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(SessionSampler.Keep("dst_abc", $"session_{i}", $"gen-{i}", 1.0));
            Assert.True(SessionSampler.Keep("dst_abc", null, $"gen-{i}", 1.5));
        }
    }

    [Fact]
    public void Rate_zero_keeps_nothing_and_nan_keeps_everything()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.False(SessionSampler.Keep("dst_abc", $"session_{i}", $"gen-{i}", 0));
            Assert.True(SessionSampler.Keep("dst_abc", $"session_{i}", $"gen-{i}", double.NaN));
        }
    }

    [Fact]
    public void A_session_is_kept_or_dropped_as_a_whole()
    {
        int kept = 0, dropped = 0;
        for (var s = 0; s < 200; s++)
        {
            var session = $"session_{s}";
            var decision = SessionSampler.Keep("dst_abc", session, "gen-0", 0.5);
            for (var g = 1; g < 500; g++)
                Assert.Equal(decision, SessionSampler.Keep("dst_abc", session, $"gen-{s}-{g}", 0.5));
            if (decision) kept++; else dropped++;
        }

        // both outcomes occur, so the agreement above is not trivial
        Assert.True(kept > 50 && dropped > 50, $"kept {kept}, dropped {dropped}");
    }

    [Fact]
    public void Kept_fraction_follows_the_rate()
    {
        foreach (var rate in new[] { 0.25, 0.5, 0.01 })
        {
            var kept = 0;
            for (var i = 0; i < 10_000; i++)
                if (SessionSampler.Keep("dst_abc", $"session_{i}", "gen", rate)) kept++;
            Assert.InRange(kept / 10_000.0, rate - 0.03 * Math.Sqrt(rate / 0.25), rate + 0.03 * Math.Sqrt(rate / 0.25));
        }

        // records without a session are sampled one by one
        var alone = 0;
        for (var i = 0; i < 10_000; i++)
            if (SessionSampler.Keep("dst_abc", null, $"gen-{i}", 0.25)) alone++;
        Assert.InRange(alone / 10_000.0, 0.22, 0.28);
    }

    [Fact]
    public void Score_is_stable_across_processes()
    {
        // Hard-coded from an independent Python implementation (FNV-1a 64 + MurmurHash3 fmix64 over UTF-8 of
        // destination + "\n" + key, top 53 bits); string.GetHashCode would change with every process.
        Assert.Equal(0.23183831525961196, SessionSampler.Score("dst_abc", "session_abc", "gen-1"));
        Assert.Equal(0.5368829988099029, SessionSampler.Score("dst_abc", null, "gen-1"));
        Assert.Equal(0.4049924845234787, SessionSampler.Score("dst_abc", "séssion_ü", "gen-1"));

        Assert.True(SessionSampler.Keep("dst_abc", "session_abc", "gen-1", 0.25));
        Assert.False(SessionSampler.Keep("dst_abc", "session_abc", "gen-1", 0.2));
    }

    [Fact]
    public void Empty_session_id_falls_back_to_generation_id()
    {
        Assert.Equal(SessionSampler.Score("dst_abc", null, "gen-1"), SessionSampler.Score("dst_abc", "", "gen-1"));
        Assert.NotEqual(SessionSampler.Score("dst_abc", "", "gen-1"), SessionSampler.Score("dst_abc", "", "gen-2"));
    }

    [Fact]
    public void Destinations_sample_independently()
    {
        var differ = 0;
        for (var i = 0; i < 1000; i++)
            if (SessionSampler.Keep("dst_a", $"session_{i}", "g", 0.5) != SessionSampler.Keep("dst_b", $"session_{i}", "g", 0.5)) differ++;
        Assert.InRange(differ, 400, 600);
    }
}
