using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The dashboard's data: one JSON answer with the live picture and the last minutes of history.</summary>
public static class DashboardEndpoints
{
    private const int MaxMinutes = TimeSeries.Capacity / 60;

    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", (int? minutes, PublishedView state, DashboardSnapshots snapshots, JournalStatus journal, TimeProvider time) =>
        {
            if (minutes is < 1 or > MaxMinutes)
            {
                return ApiProblem.BadRequest($"minutes must be between 1 and {MaxMinutes}");
            }

            var snapshot = snapshots.Build(state.View, state.Ready, TimeSpan.FromMinutes(minutes ?? 5), time.GetUtcNow()) with
            {
                JournalProblem = journal.Refusal,
            };
            return Results.Json(snapshot, DashboardJson.Default.DashboardSnapshot);
        }).WithName("getDashboard").WithSummary("The dashboard's data: the live picture and the last minutes of history");
        return app;
    }
}
