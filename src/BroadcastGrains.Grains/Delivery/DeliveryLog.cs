using Microsoft.Extensions.Logging;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>What a destination's intake and delivery loop log, under the grain's log category.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: send failed ({Error}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string destination, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination} paused: PostHog answered {Status} for its key")]
    public static partial void Paused(ILogger logger, string destination, int? status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination {Destination} resumed: its key passes Test Connection again")]
    public static partial void Resumed(ILogger logger, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: event {GenerationId} dead-lettered ({Reason}, HTTP {Status})")]
    public static partial void DeadLettered(ILogger logger, string destination, string generationId, string reason, int? status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Destination {Destination}: record {GenerationId} could not be mapped; dead-lettered")]
    public static partial void Unmappable(ILogger logger, Exception ex, string destination, string generationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: {Pending} events could not be sent before shutdown and are lost (Memory storage)")]
    public static partial void LostAtShutdown(ILogger logger, string destination, long pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "Destination {Destination}: delivery loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception ex, string destination);
}
