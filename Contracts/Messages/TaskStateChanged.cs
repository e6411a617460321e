namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Published by the scheduler on <c>task.{id}.{state}</c> after the change is committed to its journal. A final
/// state carries when the worker started and finished the attempt (by the worker's clock), so a listener learns
/// how long the task waited and ran without asking.
/// </summary>
public sealed record TaskStateChanged(
    Guid TaskId,
    TaskState State,
    int Priority,
    int Attempt,
    string? WorkerId,
    string? Error,
    DateTimeOffset At,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null)
{
    /// <summary>For a task back in Pending: why (requeued, preempted, retry scheduled).</summary>
    public string? Note { get; init; }
}
