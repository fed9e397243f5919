using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.Settings;

/// <summary>Bound from <c>Broadcast:Settings</c>: how the settings page of CONTRACT §8.4 may be embedded.</summary>
public sealed class SettingsPageOptions : IValidatableObject
{
    public const string Section = "Broadcast:Settings";
    public const string FrameAncestorsKey = Section + ":FrameAncestors";

    /// <summary>
    /// Origins allowed to show the page in a frame (a SaaS embedding it in its own app), e.g.
    /// <c>https://app.example.com</c>; empty means no one may. Each entry may hold several origins separated by
    /// spaces or commas, so that one environment variable can carry the whole list.
    /// </summary>
    public string[] FrameAncestors { get; set; } = [];

    /// <summary>The origins, split and normalised; valid only once <see cref="Validate"/> passed.</summary>
    public IReadOnlyList<string> Origins() =>
        FrameAncestors.SelectMany(e => (e ?? "").Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(o => o.TrimEnd('/'))
            .Where(o => o != "'none'")
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var origins = Origins();
        foreach (var origin in origins)
        {
            if (!FrameOrigin.IsValid(origin))
            {
                yield return new ValidationResult(
                    $"{FrameAncestorsKey} holds \"{origin}\", which is not an origin: write scheme://host[:port] (https://app.example.com, " +
                    "https://*.example.com) or 'self', with no path, query or wildcard of its own.", [nameof(FrameAncestors)]);
            }
        }
    }
}
