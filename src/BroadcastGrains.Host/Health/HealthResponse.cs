namespace BroadcastGrains.Host.Health;

public sealed record HealthResponse(string Status);
