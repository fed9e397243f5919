using System.Security.Cryptography;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Traces;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Grains.Workspaces;

/// <summary>A tenant: its broadcast switch and which destinations it has. Ingest fans out to them concurrently.</summary>
public sealed class WorkspaceGrain(
    [PersistentState("workspace", BroadcastStorage.Name)] IPersistentState<WorkspaceState> state)
    : Grain, IWorkspaceGrain
{
    public Task<bool> GetBroadcast() => Task.FromResult(state.State.BroadcastEnabled);

    public async Task SetBroadcast(bool enabled)
    {
        if (state.State.BroadcastEnabled == enabled && state.RecordExists) return;
        state.State.BroadcastEnabled = enabled;
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> GetDestinationIds() => Task.FromResult<IReadOnlyList<string>>(state.State.DestinationIds);

    public async Task<string?> AddDestination(DestinationConfig config)
    {
        if (state.State.DestinationIds.Length >= WorkspaceLimits.MaxDestinations) return null;
        string id;
        do id = NewDestinationId();
        while (!await Destination(id).Create(config));
        state.State.DestinationIds = [.. state.State.DestinationIds, id];
        await state.WriteStateAsync();
        return id;
    }

    public async Task<bool> RemoveDestination(string destinationId)
    {
        if (Array.IndexOf(state.State.DestinationIds, destinationId) < 0) return false;
        await Destination(destinationId).Delete();
        state.State.DestinationIds = state.State.DestinationIds.Where(d => d != destinationId).ToArray();
        await state.WriteStateAsync();
        return true;
    }

    public async Task<int> Ingest(IReadOnlyList<TraceRecord> records)
    {
        var ids = state.State.DestinationIds;
        if (!state.State.BroadcastEnabled || ids.Length == 0) return 0;
        var destinations = Destinations(ids);
        using var activity = BroadcastTelemetry.Source.StartActivity("workspace.ingest");
        activity?.SetTag("broadcast.workspace_id", this.GetPrimaryKeyString());
        activity?.SetTag("broadcast.records", records.Count);
        if (destinations.Length == 1) return (await destinations[0].Enqueue(records)).Queued;

        var pending = new Task<EnqueueResult>[destinations.Length];
        for (var i = 0; i < destinations.Length; i++) pending[i] = destinations[i].Enqueue(records);
        var results = await Task.WhenAll(pending);
        var queued = 0;
        foreach (var r in results) queued += r.Queued;
        return queued;
    }

    /// <summary>References for the current id list, rebuilt only when the list is replaced.</summary>
    private IDestinationGrain[] Destinations(string[] ids)
    {
        if (!ReferenceEquals(_referencesFor, ids))
        {
            _references = ids.Select(Destination).ToArray();
            _referencesFor = ids;
        }
        return _references;
    }

    private string[]? _referencesFor;
    private IDestinationGrain[] _references = [];

    private IDestinationGrain Destination(string id) =>
        GrainFactory.GetGrain<IDestinationGrain>(DestinationIdentity.Key(this.GetPrimaryKeyString(), id));

    /// <summary>"dst_" and 16 base-32 characters: unguessable enough that ids leak nothing about other tenants.</summary>
    private static string NewDestinationId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[20];
        "dst_".CopyTo(chars);
        for (var i = 0; i < 16; i++) chars[4 + i] = alphabet[bytes[i] & 31];
        return new string(chars);
    }
}
