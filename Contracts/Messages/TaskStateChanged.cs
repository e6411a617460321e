namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Published by the scheduler on <c>task.{id}.{state}</c> after the change is committed to its journal.
/// </summary>
public sealed record TaskStateChanged(
    Guid TaskId,
    TaskState State,
    int Priority,
    int Attempt,
    string? WorkerId,
    string? Error,
    DateTimeOffset At)
{
    /// <summary>For a task back in Pending: why (requeued, preempted, retry scheduled).</summary>
    public string? Note { get; init; }
}
