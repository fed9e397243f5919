using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// How long a client may take to deliver a request, bound from <c>Broadcast:Ingest</c>. The defaults suit
/// server-to-server callers (LLM gateways): a body that stalls or trickles is cut off within seconds, and a
/// maximal 10 MB body must arrive at about 170 KB/s on average. A silo's memory for bodies then depends on
/// how fast clients send, not on how slowly they can.
/// </summary>
public sealed class IngestBodyLimits : IValidatableObject
{
    public const string Section = "Broadcast:Ingest";

    /// <summary>
    /// Kestrel's minimum request body rate, averaged from the start of the body: below it (after the grace
    /// period) the connection is closed. 0 turns the check off.
    /// </summary>
    public double MinBodyBytesPerSecond { get; set; } = 16 * 1024;

    /// <summary>How long a body may go below the minimum rate at its start; Kestrel requires more than 1 s.</summary>
    public TimeSpan MinBodyRateGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time to receive a request's headers (every endpoint); then the connection is closed.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The whole body of a <c>POST /v1/traces</c> must have arrived this long after reading began, however
    /// steadily it trickles; otherwise the connection is closed. Zero or less turns the deadline off.
    /// </summary>
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Kestrel would refuse these later with a message that names none of our keys.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinBodyBytesPerSecond < 0 || !double.IsFinite(MinBodyBytesPerSecond))
            yield return new ValidationResult($"{Section}:MinBodyBytesPerSecond must be 0 (off) or a positive number.", [nameof(MinBodyBytesPerSecond)]);
        if (MinBodyBytesPerSecond > 0 && MinBodyRateGracePeriod <= TimeSpan.FromSeconds(1))
            yield return new ValidationResult($"{Section}:MinBodyRateGracePeriod must be more than 1 second (Kestrel checks rates once a second).", [nameof(MinBodyRateGracePeriod)]);
        if (RequestHeadersTimeout <= TimeSpan.Zero)
            yield return new ValidationResult($"{Section}:RequestHeadersTimeout must be positive.", [nameof(RequestHeadersTimeout)]);
    }
}
