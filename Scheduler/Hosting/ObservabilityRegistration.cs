using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Http;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Hosting;

/// <summary>Metrics, traces, structured logs and the dashboard.</summary>
public static class ObservabilityRegistration
{
    public static IHostApplicationBuilder AddSchedulerObservability(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(_ => new TimeSeries(TimeSpan.FromSeconds(1)));
        services.AddSingleton<RecentFailures>();
        services.AddSingleton<TaskTracing>();
        services.AddSingleton<SchedulerMetrics>();
        services.AddSingleton<SchedulerTelemetry>();
        services.AddSingleton(sp => new DashboardSnapshots(
            sp.GetRequiredService<TimeSeries>(),
            sp.GetRequiredService<RecentFailures>(),
            new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime())));
        services.AddHostedService<TimeSeriesSampler>();

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("taskscheduler-scheduler"))
            .WithMetrics(m => m.AddMeter(TelemetryNames.Scheduler).AddPrometheusExporter());

        // Spans and log export only where a collector is configured, the standard way: OTEL_EXPORTER_OTLP_ENDPOINT
        // (and OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS...). Unconfigured, no span is even created.
        if (!string.IsNullOrWhiteSpace(builder.Configuration[TelemetryNames.OtlpEndpointVariable]))
        {
            telemetry
                .WithTracing(t => t.AddSource(TelemetryNames.Scheduler))
                .WithLogging(_ => { }, o =>
                {
                    o.IncludeScopes = true;
                    o.IncludeFormattedMessage = true;
                })
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The dashboard at <c>/</c> (files in wwwroot), its JSON, and Prometheus metrics at <c>/metrics</c>.</summary>
    public static WebApplication MapObservability(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // The dashboard is small and changes with each release: always revalidate, never serve a stale copy.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapPrometheusScrapingEndpoint();
        app.MapDashboardEndpoints();
        return app;
    }
}
