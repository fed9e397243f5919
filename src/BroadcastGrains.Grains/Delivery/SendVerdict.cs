namespace BroadcastGrains.Grains.Delivery;

public enum SendVerdict
{
    Delivered,
    /// <summary>Transient: 408, 429, 5xx, timeouts and transport failures. Back off and try again.</summary>
    Retry,
    /// <summary>413: the request was too large; halve it, and a lone event is dead-lettered too_large.</summary>
    SplitTooLarge,
    /// <summary>400: something in the batch is bad; halve it to find the events and dead-letter them rejected.</summary>
    SplitRejected,
    /// <summary>401/403: the key no longer works; keep the backlog and wait for a working key.</summary>
    Pause,
}
