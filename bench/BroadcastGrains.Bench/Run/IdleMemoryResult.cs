namespace BroadcastGrains.Bench.Run;

public sealed class IdleMemoryResult
{
    public int Workspaces { get; set; }
    public long EmptyBytes { get; set; }
    public long IdleBytes { get; set; }
    public long? EmptyAfterGcBytes { get; set; }
    public long? IdleAfterGcBytes { get; set; }
    /// <summary>Managed heap left by a full GC: what the silo really holds, without the GC's spare memory.</summary>
    public long? EmptyHeapBytes { get; set; }
    public long? IdleHeapBytes { get; set; }
    public double ProvisionPerSecond { get; set; }
    public long PeakBytes { get; set; }

    public double BytesPerWorkspace => (double)(IdleBytes - EmptyBytes) / Workspaces;
    public double? BytesPerWorkspaceAfterGc =>
        EmptyAfterGcBytes is { } e && IdleAfterGcBytes is { } i ? (double)(i - e) / Workspaces : null;
    public double? HeapBytesPerWorkspace =>
        EmptyHeapBytes is { } e && IdleHeapBytes is { } i ? (double)(i - e) / Workspaces : null;
}
