namespace BroadcastGrains.PostHog.Mapping;

/// <summary>What the mapper needs to know about the destination a record is being sent to.</summary>
/// <param name="WorkspaceId">Part of the event uuid, so two workspaces never share an event id.</param>
/// <param name="DestinationId">Part of the event uuid, so two destinations of one workspace get distinct events.</param>
/// <param name="PrivacyMode">When true, <c>$ai_input</c> and <c>$ai_output_choices</c> are left out.</param>
/// <param name="LibVersion">Sent as <c>$ai_lib_version</c>; normally the assembly version.</param>
public sealed record EventMappingOptions(string WorkspaceId, string DestinationId, bool PrivacyMode, string LibVersion);
