using BroadcastGrains.PostHog.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.PostHog;

/// <summary>The PostHog layer of a silo, in the manner of Orleans' own <c>Add…</c> provider methods.</summary>
public static class PostHogServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="PostHogClient"/> for every destination of the silo (one connection pool, disposed with the
    /// container), guarded by <see cref="NetworkOptions"/> bound from <c>Broadcast:Network</c>.
    /// </summary>
    /// <param name="defaults">Applied before the configuration is bound, so configuration has the last word.</param>
    public static IServiceCollection AddBroadcastPostHog(this IServiceCollection services, Action<OptionsBuilder<NetworkOptions>>? defaults = null)
    {
        var network = services.AddOptions<NetworkOptions>();
        defaults?.Invoke(network);
        network.BindConfiguration(NetworkOptions.Section).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PostHogClient(
            PostHogClient.CreateHttpClient(PostHogHttpHandlerFactory.Create(sp.GetRequiredService<IOptions<NetworkOptions>>().Value))));
        return services;
    }
}
