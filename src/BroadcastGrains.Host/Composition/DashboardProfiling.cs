using Orleans.Dashboard;

namespace BroadcastGrains.Host.Composition;

/// <summary>Takes the dashboard's grain-call profiling filter out of a silo (see <see cref="BroadcastDashboardOptions.ProfileGrainCalls"/>).</summary>
public static class DashboardProfiling
{
    /// <summary>
    /// The filter type is internal to the dashboard package, so it is recognised by its assembly: any incoming
    /// grain-call filter the dashboard registers is its profiler. Returns how many registrations were removed.
    /// </summary>
    public static int Remove(IServiceCollection services)
    {
        var dashboard = typeof(DashboardOptions).Assembly;
        var removed = 0;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var d = services[i];
            if (d.ServiceType != typeof(IIncomingGrainCallFilter)) continue;
            if (d.ImplementationType?.Assembly != dashboard && d.ImplementationFactory?.Method.DeclaringType?.Assembly != dashboard) continue;
            services.RemoveAt(i);
            removed++;
        }
        return removed;
    }
}
