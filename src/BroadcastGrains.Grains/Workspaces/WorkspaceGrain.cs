using BroadcastGrains.Grains.Placement;
using System.Security.Cryptography;
using BroadcastGrains.Destinations;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Grains.Workspaces;

/// <summary>A tenant: its broadcast switch and which destinations it has. The authority the ingest route cache reads.</summary>
[WorkspaceOwnerPlacement]
public sealed class WorkspaceGrain(
    [PersistentState("workspace", BroadcastStorage.Name)] IPersistentState<WorkspaceState> state)
    : Grain, IWorkspaceGrain
{
    /// <summary>
    /// Saved here first (the authority), then pushed to every destination: a front end may still hold the old
    /// route for a moment, and the destinations are what make "off" take effect at once.
    /// </summary>
    public async Task SetBroadcast(bool enabled)
    {
        if (state.State.BroadcastEnabled == enabled && state.RecordExists) return;
        state.State.BroadcastEnabled = enabled;
        await state.WriteStateAsync();
        var ids = state.State.DestinationIds;
        if (ids.Length == 0) return;
        var pushes = new Task[ids.Length];
        for (var i = 0; i < ids.Length; i++) pushes[i] = Destination(ids[i]).SetBroadcast(enabled);
        await Task.WhenAll(pushes);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.TextDestinationIds is not null || state.State.DestinationIds.Length == 0) return;
        // Saved before the workspace knew which destinations send text: ask them once.
        var ids = state.State.DestinationIds;
        var snapshots = await Task.WhenAll(ids.Select(id => Destination(id).GetSnapshot()));
        state.State.TextDestinationIds = ids.Where((_, i) => snapshots[i]?.Config.SendsText == true).ToArray();
        await state.WriteStateAsync(cancellationToken);
    }

    public Task<WorkspaceRoute> GetRoute() => Task.FromResult(new WorkspaceRoute
    {
        BroadcastEnabled = state.State.BroadcastEnabled,
        DestinationIds = state.State.DestinationIds,
        TextDestinationIds = state.State.TextDestinationIds ?? [],
    });

    public async Task<string?> AddDestination(DestinationConfig config)
    {
        if (state.State.DestinationIds.Length >= WorkspaceLimits.MaxDestinations) return null;
        string id;
        do id = NewDestinationId();
        while (!await Destination(id).Create(config, state.State.BroadcastEnabled));
        state.State.DestinationIds = [.. state.State.DestinationIds, id];
        if (config.SendsText) state.State.TextDestinationIds = [.. state.State.TextDestinationIds ?? [], id];
        await state.WriteStateAsync();
        return id;
    }

    public async Task<bool> RemoveDestination(string destinationId)
    {
        if (Array.IndexOf(state.State.DestinationIds, destinationId) < 0) return false;
        await Destination(destinationId).Delete();
        state.State.DestinationIds = state.State.DestinationIds.Where(d => d != destinationId).ToArray();
        state.State.TextDestinationIds = state.State.TextDestinationIds?.Where(d => d != destinationId).ToArray();
        await state.WriteStateAsync();
        return true;
    }

    public async Task SetSendsText(string destinationId, bool sendsText)
    {
        if (Array.IndexOf(state.State.DestinationIds, destinationId) < 0) return;
        var text = state.State.TextDestinationIds ?? [];
        if (Array.IndexOf(text, destinationId) >= 0 == sendsText) return;
        state.State.TextDestinationIds = sendsText ? [.. text, destinationId] : text.Where(d => d != destinationId).ToArray();
        await state.WriteStateAsync();
    }

    public Task<long> GetSettingsGeneration() => Task.FromResult(state.State.SettingsGeneration);

    public async Task<long> RevokeSettingsSessions()
    {
        // Bumped before the write: should the write fail (the caller gets a 503 and retries), this activation already
        // refuses the old tokens, which errs on the safe side.
        state.State.SettingsGeneration++;
        await state.WriteStateAsync();
        return state.State.SettingsGeneration;
    }

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
