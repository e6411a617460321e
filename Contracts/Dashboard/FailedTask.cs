namespace TaskScheduler.Contracts.Dashboard;

/// <summary>A task that failed recently, with the worker's reason.</summary>
public sealed record FailedTask(Guid TaskId, int Priority, int Attempt, string? WorkerId, string? Error, DateTimeOffset At);
