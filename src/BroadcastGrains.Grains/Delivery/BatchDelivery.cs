using System.Diagnostics;
using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Destinations;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Mapping;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>
/// The steps of a <see cref="DeliveryLoop"/> run that touch the outbox and PostHog: peek a batch, expire what is too
/// old, send it (halving it on 400/413 until single bad events are dead-lettered, CONTRACT §7) and book the outcome in
/// the loop and the destination's state.
/// </summary>
internal sealed class BatchDelivery(DeliveryLoop loop, DestinationContext destination, IDestinationOutbox outbox, IBatchSender sender,
    DeliveryOptions options, TimeProvider clock, ILogger logger)
{
    /// <summary>The oldest pending events that fit one /batch/ request, envelope included.</summary>
    public Task<IReadOnlyList<OutboxEvent>> PeekAsync() =>
        outbox.PeekAsync(options.MaxBatchEvents, options.MaxBatchBytes - BatchPayload.EnvelopeAllowance);

    public Task<ConnectionTestResult> TestKeyAsync(DestinationConfig config, CancellationToken cancellationToken) =>
        sender.TestKeyAsync(config.ApiKey, config.Endpoint, cancellationToken);

    public async Task<IReadOnlyList<OutboxEvent>> ExpireOldAsync(IReadOnlyList<OutboxEvent> batch)
    {
        var cutoff = clock.GetUtcNow() - options.MaxEventAge;
        if (batch.All(e => e.AcceptedAt >= cutoff)) return batch;
        var now = clock.GetUtcNow();
        var expired = batch.Where(e => e.AcceptedAt < cutoff)
            .Select(e => new DeadLetterEntry(e, DeadLetterReasons.Expired, null, now)).ToList();
        await outbox.DeadLetterAsync(expired);
        loop.Pending -= expired.Count;
        BroadcastTelemetry.EventsDeadLettered.Add(expired.Count, BroadcastTelemetry.Reason(DeadLetterReasons.Expired));
        return batch.Where(e => e.AcceptedAt >= cutoff).ToList();
    }

    /// <summary>Memory storage's shutdown: sends what it can until <paramref name="deadline"/> or a failure, and says how many it could not.</summary>
    public async Task FlushAsync(CancellationToken deadline)
    {
        try
        {
            while (loop.Pending > 0 && !deadline.IsCancellationRequested && destination.Config is { } config && !destination.State.Paused)
            {
                var batch = await PeekAsync();
                if (batch.Count == 0) break;
                if (await SendAsync(config, batch, deadline)) break;
            }
        }
        catch (Exception ex) when (!deadline.IsCancellationRequested)
        {
            DeliveryLog.LoopFailed(logger, ex, destination.Key);
        }
        catch (Exception)
        {
            // The grace period is over; what is left is counted below.
        }
        if (loop.Pending > 0) DeliveryLog.LostAtShutdown(logger, destination.Key, loop.Pending);
    }

    /// <summary>Sends a batch, halving it on 400/413 to isolate bad events. Returns true when the run must stop.</summary>
    public async Task<bool> SendAsync(DestinationConfig config, IReadOnlyList<OutboxEvent> batch, CancellationToken cancellationToken)
    {
        // Segments are processed front to back so that delivery order survives the splitting.
        var work = new Stack<ArraySegment<OutboxEvent>>();
        work.Push(new ArraySegment<OutboxEvent>(batch as OutboxEvent[] ?? batch.ToArray()));
        while (work.TryPop(out var segment))
        {
            // Events mapped before the destination went private still hold text: it never leaves in privacy mode.
            var payload = BatchPayload.BuildGzip(config.ApiKey, clock.GetUtcNow(),
                segment.Select(e => config.PrivacyMode ? PrivateContent.Strip(e.Payload) : e.Payload).ToList());
            using var activity = BroadcastTelemetry.Source.StartActivity("posthog.send", ActivityKind.Client);
            activity?.SetTag("broadcast.workspace_id", destination.WorkspaceId);
            activity?.SetTag("broadcast.destination_id", destination.DestinationId);
            activity?.SetTag("broadcast.events", segment.Count);
            var started = Stopwatch.GetTimestamp();
            var outcome = await sender.SendAsync(config.Endpoint, payload, cancellationToken);
            var verdict = SendClassifier.Classify(outcome);
            activity?.SetTag("http.response.status_code", outcome.Status);
            BroadcastTelemetry.SendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, BroadcastTelemetry.Outcome(verdict switch
            {
                SendVerdict.Delivered => "delivered",
                SendVerdict.Pause => "paused",
                SendVerdict.Retry => "retry",
                _ => "split",
            }));
            // Deleted, or deactivated meanwhile: a deleted destination's events are already discarded, and a next
            // activation sends a deactivated one's again, under the same uuids.
            if (cancellationToken.IsCancellationRequested || destination.Config is null) return true;
            // What PostHog accepted is booked even if the config changed meanwhile; anything else restarts with the new config.
            if (verdict != SendVerdict.Delivered && !ReferenceEquals(destination.Config, config)) return false;
            if (await BookAsync(verdict, outcome, segment, work)) return true;
        }
        return false;
    }

    private async Task<bool> BookAsync(SendVerdict verdict, SendOutcome outcome, ArraySegment<OutboxEvent> segment,
        Stack<ArraySegment<OutboxEvent>> work)
    {
        var now = clock.GetUtcNow();
        var state = destination.State;
        switch (verdict)
        {
            case SendVerdict.Delivered:
                BroadcastTelemetry.EventsDelivered.Add(segment.Count);
                loop.Delivered();
                await outbox.RemoveAsync(segment.Select(e => e.Seq).ToList());
                loop.Pending -= segment.Count;
                state.Delivered += segment.Count;
                state.LastSuccessAt = now;
                state.LastError = null;
                loop.ClearFailures();
                destination.MarkDirty();
                return false;
            case SendVerdict.SplitTooLarge or SendVerdict.SplitRejected when segment.Count > 1:
                var half = segment.Count / 2;
                work.Push(segment[half..]);
                work.Push(segment[..half]);
                return false;
            case SendVerdict.SplitTooLarge or SendVerdict.SplitRejected:
                var reason = outcome.Status == 413 ? DeadLetterReasons.TooLarge : DeadLetterReasons.Rejected;
                var e = segment[0];
                await outbox.DeadLetterAsync([new DeadLetterEntry(e with { Attempts = e.Attempts + 1 }, reason, outcome.Status, now)]);
                loop.Pending--;
                BroadcastTelemetry.EventsDeadLettered.Add(1, BroadcastTelemetry.Reason(reason));
                DeliveryLog.DeadLettered(logger, destination.Key, e.GenerationId, reason, outcome.Status);
                return false;
            case SendVerdict.Pause:
                state.Paused = true;
                // Paused may last days: events held in memory become rows (intake stores new ones as rows now).
                await outbox.MarkAttemptAsync(segment.Select(e => e.Seq).ToList());
                state.LastError = $"PostHog answered HTTP {outcome.Status}: the project API key was rejected";
                destination.MarkDirty();
                loop.NextAttemptAt = now + options.PauseRecheck;
                DeliveryLog.Paused(logger, destination.Key, outcome.Status);
                await destination.SaveAsync();
                loop.Schedule(options.PauseRecheck);
                return true;
            default:
                BroadcastTelemetry.EventsRetried.Add(segment.Count);
                // Counted first, so that an intake interleaving with the write below already stores rows.
                loop.ConsecutiveFailures++;
                await outbox.MarkAttemptAsync(segment.Select(e => e.Seq).ToList());
                loop.ScheduleRetry(outcome.RetryAfter, outcome.Error ?? $"PostHog answered HTTP {outcome.Status}");
                return true;
        }
    }
}
