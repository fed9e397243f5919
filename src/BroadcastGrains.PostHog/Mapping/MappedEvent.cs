namespace BroadcastGrains.PostHog.Mapping;

/// <summary>One PostHog event as UTF-8 JSON.</summary>
/// <param name="Json">
/// The event object, at most <see cref="PostHogLimits.MaxEventBytes"/> bytes; null when it cannot be made to
/// fit even without <c>$ai_input</c> and <c>$ai_output_choices</c> (the caller dead-letters it as <c>too_large</c>).
/// </param>
/// <param name="Truncated">True when content was shortened or dropped to fit (the event then carries
/// <c>broadcast_truncated: true</c>). Always false when <paramref name="Json"/> is null.</param>
public readonly record struct MappedEvent(byte[]? Json, bool Truncated);
