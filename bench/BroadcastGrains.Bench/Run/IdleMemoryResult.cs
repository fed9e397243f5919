namespace BroadcastGrains.Bench.Run;

public sealed class IdleMemoryResult
{
    public int Workspaces { get; set; }
    public long EmptyBytes { get; set; }
    public long IdleBytes { get; set; }
    public long? EmptyAfterGcBytes { get; set; }
    public long? IdleAfterGcBytes { get; set; }
    public double ProvisionPerSecond { get; set; }
    public long PeakBytes { get; set; }

    public double BytesPerWorkspace => (double)(IdleBytes - EmptyBytes) / Workspaces;
    public double? BytesPerWorkspaceAfterGc =>
        EmptyAfterGcBytes is { } e && IdleAfterGcBytes is { } i ? (double)(i - e) / Workspaces : null;
}
