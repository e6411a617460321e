namespace TaskScheduler.Dashboard;

/// <summary>
/// A task that failed recently, with the worker's reason (cut to <see cref="DashboardLimits.MaxErrorLength"/>
/// characters, ending in "…" when it was longer).
/// </summary>
public sealed record FailedTask(Guid TaskId, int Priority, int Attempt, string? WorkerId, string? Error, DateTimeOffset At);
