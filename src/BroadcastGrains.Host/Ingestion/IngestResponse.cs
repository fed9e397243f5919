namespace BroadcastGrains.Host.Ingestion;

public sealed record IngestResponse(int Accepted, int Queued);
