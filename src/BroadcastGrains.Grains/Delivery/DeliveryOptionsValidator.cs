using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Delivery;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>
/// The clocks and sizes of <see cref="DeliveryOptions"/> that no attribute can say: a zero backoff retries in a
/// tight loop, a zero interval makes a timer that never fires again, a batch smaller than one event never sends it.
/// </summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    private const string Key = DeliveryOptions.Section;

    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        // The send lanes name their own keys; OutboundGate refuses the same bounds.
        var problems = options.SendLanes().Problems().ToList();
        const int smallestBatch = PostHogLimits.MaxEventBytes + BatchPayload.EnvelopeAllowance;
        if (options.MaxBatchBytes is < smallestBatch or > PostHogLimits.MaxBatchBytes)
            problems.Add($"{Key}:MaxBatchBytes must be between {smallestBatch} (one event of the largest size) and {PostHogLimits.MaxBatchBytes}.");
        if (options.Linger < TimeSpan.Zero) problems.Add($"{Key}:Linger must not be negative.");
        Positive(problems, options.BackoffBase, "BackoffBase");
        if (options.BackoffCap < options.BackoffBase) problems.Add($"{Key}:BackoffCap must not be shorter than {Key}:BackoffBase.");
        Positive(problems, options.MaxEventAge, "MaxEventAge");
        if (options.MaxRetryAfter < TimeSpan.Zero) problems.Add($"{Key}:MaxRetryAfter must not be negative.");
        Positive(problems, options.PauseRecheck, "PauseRecheck");
        Positive(problems, options.DeadLetterRetention, "DeadLetterRetention");
        Positive(problems, options.DeadLetterSweepInterval, "DeadLetterSweepInterval");
        Positive(problems, options.CounterFlushInterval, "CounterFlushInterval");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(List<string> problems, TimeSpan value, string property)
    {
        if (value <= TimeSpan.Zero) problems.Add($"{Key}:{property} must be longer than zero.");
    }
}
