namespace BroadcastGrains.Bench.Baseline;

/// <summary>A tenant: its broadcast switch and destinations. Both are replaced whole, so readers need no lock.</summary>
public sealed class BaselineWorkspace
{
    public volatile bool BroadcastEnabled;
    public volatile BaselineDestination[] Destinations = [];
}
