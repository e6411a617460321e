namespace TaskScheduler.Scheduler.Http;

/// <summary>The body of an action on tasks: why (for the history), and for a priority change the new priority.</summary>
public sealed record TaskActionBody(string? Reason, int? Priority = null);
