using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// The desired-worker figure for autoscalers: KEDA's metrics-api trigger reads <c>desiredWorkers</c> from it, and so
/// does <c>tasks autoscale</c>.
/// </summary>
public static class AutoscaleEndpoints
{
    public static IEndpointRouteBuilder MapAutoscaleEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/autoscale", (PublishedView state) =>
            state.Autoscale is { } figure
                ? Results.Json(figure, DashboardJson.Default.AutoscaleView)
                : ApiProblem.Starting())
            .WithName("getAutoscale").WithSummary("The desired-worker figure for autoscalers");
        return app;
    }
}
