using TaskScheduler.Contracts;

namespace TaskScheduler.Client.Events;

/// <summary>
/// One event of a task as the scheduler announced it on <c>task.{id}.{kind}</c>: a state change, or the rejection of
/// a submission carrying the id.
/// </summary>
public sealed record TaskEvent(Guid TaskId, TaskEventKind Kind, DateTimeOffset At)
{
    /// <summary>The task's state after the change; null for a rejection.</summary>
    public TaskState? State { get; init; }

    public int Priority { get; init; }

    /// <summary>The attempt the change concerns (0 before the first).</summary>
    public int Attempt { get; init; }

    public string? WorkerId { get; init; }

    /// <summary>Why the task failed or was cancelled, or why the submission was rejected.</summary>
    public string? Error { get; init; }

    /// <summary>For a task back in Pending: why (requeued, preempted, retry scheduled).</summary>
    public string? Note { get; init; }

    /// <summary>For a final state: when the worker started and finished the attempt, by the worker's clock.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>
    /// A Completed task's result. The event itself carries it up to <see cref="Limits.MaxEventResultBytes"/>; the
    /// client's waits and watches fetch a larger one, so what they hand out is always whole.
    /// </summary>
    public string? Result { get; init; }

    /// <summary>The result's size in UTF-8 bytes, 0 when there is none.</summary>
    public int ResultBytes { get; init; }

    /// <summary>Completed, Failed or Cancelled: the task will not change again.</summary>
    public bool IsFinal => State is { } state && state.IsFinal();

    /// <summary>The event names a result too large to travel with it, which the scheduler gives on request.</summary>
    public bool HasResultToFetch => Kind == TaskEventKind.Completed && Result is null && ResultBytes > 0;
}
