using BroadcastGrains.Host.Composition;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;

namespace BroadcastGrains.Tests.Composition;

public sealed class DashboardProfilingTests
{
    private static bool IsDashboardFilter(ServiceDescriptor d) =>
        d.ServiceType == typeof(IIncomingGrainCallFilter)
        && (d.ImplementationType ?? d.ImplementationFactory?.Method.DeclaringType)?.Assembly == typeof(DashboardOptions).Assembly;

    [Fact]
    public void The_dashboards_grain_call_filter_is_found_and_removed()
    {
        var services = new ServiceCollection();
        services.AddOrleans(silo => silo.AddDashboard());
        // If a dashboard version stops registering the filter this way, the option would silently do nothing.
        Assert.Contains(services, IsDashboardFilter);

        Assert.Equal(1, DashboardProfiling.Remove(services));

        Assert.DoesNotContain(services, IsDashboardFilter);
        Assert.Contains(services, d => d.ImplementationType?.Name == "DashboardHost");
    }

    [Fact]
    public void Other_incoming_filters_stay()
    {
        var services = new ServiceCollection();
        services.AddOrleans(silo => silo.AddDashboard().AddIncomingGrainCallFilter(context => context.Invoke()));

        DashboardProfiling.Remove(services);

        Assert.Single(services, d => d.ServiceType == typeof(IIncomingGrainCallFilter));
    }
}
