using BroadcastGrains.Destinations;
using BroadcastGrains.PostHog.Connection;

namespace BroadcastGrains.Host.Destinations;

/// <summary>Pure checks of destination bodies; each failure is keyed by the JSON field it concerns.</summary>
public static class DestinationRequestValidator
{
    public const int MaxNameLength = 200;
    public const double MinSamplingRate = 0.0001;
    private const string DefaultName = "PostHog";

    public static Dictionary<string, string[]> ValidateCreate(DestinationRequest request, bool allowPrivate, out DestinationConfig? config)
    {
        var errors = new Dictionary<string, string[]>();
        config = null;
        CheckType(request.Type, required: true, errors);
        CheckName(request.Name, errors);
        CheckSampling(request.SamplingRate, errors);
        var (apiKey, endpoint) = CheckConnection(request.Config, allowPrivate, required: true, errors);
        if (errors.Count > 0) return errors;
        config = new DestinationConfig
        {
            Name = string.IsNullOrWhiteSpace(request.Name) ? DefaultName : request.Name.Trim(),
            ApiKey = apiKey!,
            Endpoint = endpoint!,
            Enabled = request.Enabled ?? true,
            PrivacyMode = request.PrivacyMode ?? false,
            SamplingRate = request.SamplingRate ?? 1.0,
        };
        return errors;
    }

    /// <summary>Merges a PATCH into the current config. A masked key sent back means "keep the key".</summary>
    public static Dictionary<string, string[]> ValidatePatch(
        DestinationRequest request, DestinationConfig current, bool allowPrivate, out DestinationConfig updated, out bool connectionChanged)
    {
        var errors = new Dictionary<string, string[]>();
        updated = current;
        connectionChanged = false;
        CheckType(request.Type, required: false, errors);
        if (request.Name is not null) CheckName(request.Name, errors);
        CheckSampling(request.SamplingRate, errors);

        var apiKey = current.ApiKey;
        var endpoint = current.Endpoint;
        if (request.Config is { } body)
        {
            if (body.ApiKey is { } key && !ApiKeyRules.IsMasked(key))
            {
                if (ApiKeyRules.IsValid(key)) apiKey = key;
                else errors["config.api_key"] = ["must match ^phc_[A-Za-z0-9_-]{10,}$ (a PostHog project API key)"];
            }
            if (body.Endpoint is not null)
            {
                if (EndpointRules.TryNormalize(body.Endpoint, allowPrivate, out var normalized, out var error)) endpoint = normalized;
                else errors["config.endpoint"] = [error!];
            }
        }
        // A stored key goes only to the origin it was tested against: whoever moves it elsewhere must know it
        // (CONTRACT §8.3), or a token holder could read any tenant's key by pointing its destination at their server.
        var keyGiven = request.Config?.ApiKey is { } given && !ApiKeyRules.IsMasked(given);
        if (errors.Count == 0 && !keyGiven && !SameOrigin(current.Endpoint, endpoint))
            errors["config.api_key"] = ["is required again when config.endpoint moves to another host: the stored key is never sent to a new host"];
        if (errors.Count > 0) return errors;

        connectionChanged = apiKey != current.ApiKey || endpoint != current.Endpoint;
        updated = current with
        {
            Name = request.Name is null ? current.Name : string.IsNullOrWhiteSpace(request.Name) ? DefaultName : request.Name.Trim(),
            ApiKey = apiKey,
            Endpoint = endpoint,
            Enabled = request.Enabled ?? current.Enabled,
            PrivacyMode = request.PrivacyMode ?? current.PrivacyMode,
            SamplingRate = request.SamplingRate ?? current.SamplingRate,
        };
        return errors;
    }

    /// <summary>Scheme, host and port: a key tested against one of them has not been shown to any other.</summary>
    private static bool SameOrigin(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
        && Uri.Compare(x, y, UriComponents.SchemeAndServer | UriComponents.Port, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    public static Dictionary<string, string[]> ValidateTest(DestinationRequest request, bool allowPrivate, out string apiKey, out string endpoint)
    {
        var errors = new Dictionary<string, string[]>();
        CheckType(request.Type, required: true, errors);
        var (key, normalized) = CheckConnection(request.Config, allowPrivate, required: true, errors);
        apiKey = key ?? "";
        endpoint = normalized ?? "";
        return errors;
    }

    private static void CheckType(string? type, bool required, Dictionary<string, string[]> errors)
    {
        if (type is null)
        {
            if (required) errors["type"] = ["is required and must be \"posthog\""];
        }
        else if (type != "posthog") errors["type"] = ["must be \"posthog\""];
    }

    private static void CheckName(string? name, Dictionary<string, string[]> errors)
    {
        if (name is { Length: > MaxNameLength }) errors["name"] = [$"must be at most {MaxNameLength} characters"];
    }

    private static void CheckSampling(double? rate, Dictionary<string, string[]> errors)
    {
        if (rate is { } r && !(r >= MinSamplingRate && r <= 1.0)) errors["sampling_rate"] = ["must be between 0.0001 and 1"];
    }

    private static (string? ApiKey, string? Endpoint) CheckConnection(
        DestinationConfigBody? body, bool allowPrivate, bool required, Dictionary<string, string[]> errors)
    {
        if (body is null)
        {
            if (required) errors["config"] = ["is required"];
            return (null, null);
        }
        string? apiKey = null;
        if (string.IsNullOrEmpty(body.ApiKey)) errors["config.api_key"] = ["is required"];
        else if (!ApiKeyRules.IsValid(body.ApiKey)) errors["config.api_key"] = ["must match ^phc_[A-Za-z0-9_-]{10,}$ (a PostHog project API key)"];
        else apiKey = body.ApiKey;

        string? endpoint = null;
        if (EndpointRules.TryNormalize(body.Endpoint, allowPrivate, out var normalized, out var error)) endpoint = normalized;
        else errors["config.endpoint"] = [error!];
        return (apiKey, endpoint);
    }
}
