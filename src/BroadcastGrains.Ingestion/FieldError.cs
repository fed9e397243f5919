namespace BroadcastGrains.Ingestion;

/// <summary>A validation failure: <see cref="Field"/> is a path such as <c>[3].request.model</c>.</summary>
public readonly record struct FieldError(string Field, string Message);
