namespace TaskScheduler.Scheduler.Core.Lifecycle;

/// <summary>
/// When and where a task may run, beyond its priority: its earliest start, the worker tags it needs and its tenant
/// group. One reference on the task, null for the plain task, so a large backlog pays nothing for it.
/// </summary>
public sealed record TaskPlacement(DateTimeOffset? RunAt, IReadOnlyList<string> Requires, string? Group)
{
    public static TaskPlacement? Of(DateTimeOffset? runAt, IReadOnlyList<string> requires, string? group) =>
        runAt is null && requires.Count == 0 && group is null ? null : new TaskPlacement(runAt, requires, group);
}
