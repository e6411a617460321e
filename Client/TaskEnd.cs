using TaskScheduler.Client.Events;

namespace TaskScheduler.Client;

/// <summary>
/// How a task ended: Completed (with its result, if it returned one), Failed or Cancelled (with the error), or
/// Rejected (the submission was refused; <see cref="Error"/> is the reason).
/// </summary>
public sealed record TaskEnd(Guid TaskId, TaskEventKind Kind, string? Result, string? Error, int Attempt, string? WorkerId, DateTimeOffset At)
{
    public bool IsCompleted => Kind == TaskEventKind.Completed;

    /// <summary>The result of a Completed task; throws <see cref="TaskRejectedException"/> or <see cref="TaskFailedException"/> otherwise.</summary>
    public string? ResultOrThrow() => Kind switch
    {
        TaskEventKind.Completed => Result,
        TaskEventKind.Rejected => throw new TaskRejectedException(TaskId, Error ?? "no reason given"),
        _ => throw new TaskFailedException(TaskId, Kind, Error, Attempt),
    };

    internal static TaskEnd From(TaskEvent e) => new(e.TaskId, e.Kind, e.Result, e.Error, e.Attempt, e.WorkerId, e.At);
}
