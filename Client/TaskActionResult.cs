namespace TaskScheduler.Client;

/// <summary>The scheduler's answer to an action on a task, with its explanation when it was not done.</summary>
public sealed record TaskActionResult(TaskActionStatus Status, string? Detail = null);
