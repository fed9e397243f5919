using BroadcastGrains.Grains.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BroadcastGrains.Host.Operations;

public static class TelemetrySetup
{
    /// <summary>
    /// Metrics always (Prometheus text at /metrics); traces only when an OTLP endpoint is configured, because
    /// unexported spans would still cost every request.
    /// </summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        var otlpEndpoint = builder.Configuration["Broadcast:Telemetry:OtlpEndpoint"];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("broadcastgrains", serviceVersion: typeof(BroadcastTelemetry).Assembly.GetName().Version?.ToString(3)))
            .WithMetrics(metrics => metrics
                .AddMeter(BroadcastTelemetry.Name)
                .AddMeter(OrleansMetricSelection.MeterName)
                // The runtime's own meter (GC pauses and collections by generation, thread-pool queue, lock
                // contention): observable instruments, read only when /metrics is scraped.
                .AddMeter("System.Runtime")
                .AddView(instrument => instrument.Meter.Name == OrleansMetricSelection.MeterName && !OrleansMetricSelection.IsExported(instrument.Name)
                    ? MetricStreamConfiguration.Drop
                    : null)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(otlpEndpoint))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(BroadcastTelemetry.Name)
                .AddSource("Microsoft.Orleans.Runtime")
                .AddSource("Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/metrics")
                .AddOtlpExporter(o => o.Endpoint = new Uri(otlpEndpoint)));
        }
    }
}
