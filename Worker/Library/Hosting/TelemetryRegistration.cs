using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskScheduler.Contracts.Observability;

namespace TaskScheduler.Worker.Hosting;

internal static class TelemetryRegistration
{
    /// <summary>
    /// Spans and structured logs go to an OpenTelemetry collector when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
    /// standard variables configure the rest); otherwise nothing is exported and no span is even created.
    /// </summary>
    public static IHostApplicationBuilder AddWorkerTelemetry(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[TelemetryNames.OtlpEndpointVariable]))
        {
            return builder;
        }

        // Every span and log line names its worker (worker.id, WorkerId), so the resource needs only the service.
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("taskscheduler-worker"))
            .WithTracing(t => t.AddSource(TelemetryNames.Worker))
            .WithLogging(_ => { }, o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            })
            .UseOtlpExporter();
        return builder;
    }
}
