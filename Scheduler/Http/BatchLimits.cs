namespace TaskScheduler.Scheduler.Http;

/// <summary>The most tasks one <c>POST /api/tasks/batch</c> may hold (<c>Scheduler:MaxBatchTasks</c>; Hosting fills it).</summary>
public sealed record BatchLimits(int MaxTasks);
