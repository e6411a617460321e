namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>One tenant group as the scheduler sees it: tasks in the queue and running, its weight and limits.</summary>
public sealed record GroupLoad(string Group, int Pending, int Running, double Weight, int? MaxRunning, double? MaxStartsPerSecond);
