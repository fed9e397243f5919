namespace BroadcastGrains.Host.Destinations;

/// <param name="GenerationId">The test trace's generation id (<c>broadcast-test-…</c>): its event's <c>$ai_generation_id</c> in PostHog.</param>
public sealed record TestEventResponse(string GenerationId);
