using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TaskScheduler.Scheduler.Health;

/// <summary>
/// Kubernetes-style probes: <c>/health/live</c> (restart me if this fails) and <c>/health/ready</c> (send me work);
/// <c>/health</c> is the readiness answer, as it always was. 200 when healthy, 503 with the reasons otherwise.
/// </summary>
public static class HealthEndpoints
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddSchedulerHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddCheck<SchedulerLivenessCheck>("loop", tags: [LiveTag])
            .AddCheck<SchedulerReadinessCheck>("scheduler", tags: [ReadyTag]);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", Options(LiveTag, "live"));
        app.MapHealthChecks("/health/ready", Options(ReadyTag, "ready"));
        app.MapHealthChecks("/health", Options(ReadyTag, "ready"));
        return app;
    }

    private static HealthCheckOptions Options(string tag, string healthyWord) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (context, report) => WriteAsync(context, report, healthyWord),
    };

    private static Task WriteAsync(HttpContext context, HealthReport report, string healthyWord)
    {
        context.Response.ContentType = "application/json";
        var healthy = report.Status == HealthStatus.Healthy;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", healthy ? healthyWord : $"not {healthyWord}");
            if (!healthy)
            {
                json.WriteStartArray("reasons");
                foreach (var entry in report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy))
                {
                    json.WriteStringValue(entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString());
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }
}
