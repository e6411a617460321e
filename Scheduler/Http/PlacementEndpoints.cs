using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// Where work waits and runs: <c>GET /api/pools</c> (tasks per set of required worker tags, and the workers that have
/// exactly that set) and <c>GET /api/groups</c> (tenant groups: weight, limits, tasks queued and running).
/// </summary>
public static class PlacementEndpoints
{
    public static IEndpointRouteBuilder MapPlacementEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/pools", (PublishedView state) => Results.Json(state.View.Pools.ToArray(), PlacementJson.Default.PoolLoadArray)).WithName("listPools");
        app.MapGet("/api/groups", (PublishedView state) => Results.Json(state.View.Groups.ToArray(), PlacementJson.Default.GroupLoadArray)).WithName("listGroups");
        return app;
    }
}
