using System.Text.Json;
using BroadcastGrains.PostHog.Mapping;
using CsCheck;
using static BroadcastGrains.Tests.Mapping.MappingFixtures;

namespace BroadcastGrains.Tests.Mapping;

public class DistinctIdTests
{
    [Fact]
    public void Ids_up_to_the_limit_are_sent_as_they_are()
    {
        var id = new string('u', DistinctId.MaxLength);
        Assert.Same(id, DistinctId.For(id));
        Assert.Equal("user_12345", DistinctId.For("user_12345"));
    }

    [Fact]
    public void A_longer_id_becomes_its_prefix_and_the_sha256_of_the_whole()
    {
        var id = new string('a', 250) + new string('b', 250);
        var expected = new string('a', 200) + "~sha256:" + Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));
        Assert.Equal(expected, DistinctId.For(id));
    }

    [Fact]
    public void The_prefix_never_splits_a_surrogate_pair()
    {
        var id = new string('x', DistinctId.PrefixLength - 1) + "😀" + new string('y', 400);
        var short_ = DistinctId.For(id);
        Assert.Equal(new string('x', DistinctId.PrefixLength - 1) + "~sha256:", short_[..(DistinctId.PrefixLength - 1 + 8)]);
    }

    [Fact]
    public void Long_ids_are_short_stable_and_tell_users_apart()
    {
        Gen.String[DistinctId.MaxLength + 1, 2000].Sample(id =>
        {
            var a = DistinctId.For(id);
            Assert.True(a.Length <= DistinctId.MaxLength, $"{a.Length} characters");
            Assert.Equal(a, DistinctId.For(new string(id.AsSpan())));
            Assert.NotEqual(a, DistinctId.For(id + "!"));
            Assert.True(System.Text.Unicode.Utf8.IsValid(System.Text.Encoding.UTF8.GetBytes(a)) || !System.Text.Unicode.Utf8.IsValid(System.Text.Encoding.UTF8.GetBytes(id)));
        });
    }

    [Fact]
    public void A_long_user_is_whole_in_ai_user_and_short_in_distinct_id()
    {
        var user = "user_" + new string('z', 495);
        var ev = Event(Minimal() with { User = user });
        Assert.Equal(DistinctId.For(user), ev.GetProperty("distinct_id").GetString());
        Assert.True(ev.GetProperty("distinct_id").GetString()!.Length <= 400);
        Assert.Equal(user, ev.GetProperty("properties").GetProperty("$ai_user").GetString());
    }

    [Fact]
    public void A_long_trace_id_of_an_anonymous_event_is_whole_in_ai_trace_id()
    {
        var trace = new string('t', 600);
        var ev = Event(Minimal() with { User = null, TraceId = trace });
        Assert.Equal(DistinctId.For(trace), ev.GetProperty("distinct_id").GetString());
        Assert.Equal(trace, ev.GetProperty("properties").GetProperty("$ai_trace_id").GetString());
        Assert.Equal(JsonValueKind.False, ev.GetProperty("properties").GetProperty("$process_person_profile").ValueKind);
    }
}
