using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Tests.Delivery;

public class SendClassifierTests
{
    private static SendVerdict Classify(int? status, TimeSpan? retryAfter = null, string? error = null) =>
        SendClassifier.Classify(new SendOutcome(status, retryAfter, error));

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(202)]
    [InlineData(204)]
    public void Success_is_delivered(int status)
    {
        Assert.Equal(SendVerdict.Delivered, Classify(status));
    }

    [Fact]
    public void Bad_request_splits_to_find_rejected_events()
    {
        Assert.Equal(SendVerdict.SplitRejected, Classify(400));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void Auth_failure_pauses(int status)
    {
        Assert.Equal(SendVerdict.Pause, Classify(status));
    }

    [Fact]
    public void Payload_too_large_splits()
    {
        Assert.Equal(SendVerdict.SplitTooLarge, Classify(413));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(599)]
    public void Transient_status_retries(int status)
    {
        Assert.Equal(SendVerdict.Retry, Classify(status));
    }

    [Fact]
    public void Retry_after_does_not_change_the_verdict()
    {
        Assert.Equal(SendVerdict.Retry, Classify(429, TimeSpan.FromSeconds(30)));
        Assert.Equal(SendVerdict.Retry, Classify(503, TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData("connection refused")]
    [InlineData("timeout")]
    [InlineData(null)]
    public void Transport_error_without_status_retries(string? error)
    {
        Assert.Equal(SendVerdict.Retry, Classify(null, error: error));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(301)]
    [InlineData(422)]
    public void Other_statuses_retry_rather_than_lose_events(int status)
    {
        Assert.Equal(SendVerdict.Retry, Classify(status));
    }
}
