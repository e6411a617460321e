using TaskScheduler.Client.Events;

namespace TaskScheduler.Client;

/// <summary>A task whose result was asked for ended Failed or Cancelled; <see cref="Error"/> says why.</summary>
public sealed class TaskFailedException : TaskSchedulerClientException
{
    public TaskFailedException(Guid taskId, TaskEventKind kind, string? error, int attempt)
        : base($"task {taskId} {(kind == TaskEventKind.Cancelled ? "was cancelled" : "failed")}{(error is null ? "" : $": {error}")}")
    {
        TaskId = taskId;
        Kind = kind;
        Error = error;
        Attempt = attempt;
    }

    public TaskFailedException()
    {
    }

    public TaskFailedException(string message)
        : base(message)
    {
    }

    public TaskFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public Guid TaskId { get; }

    /// <summary><see cref="TaskEventKind.Failed"/> or <see cref="TaskEventKind.Cancelled"/>.</summary>
    public TaskEventKind Kind { get; }

    public string? Error { get; }

    /// <summary>The last attempt (0 when it never ran, such as a task whose dependency failed).</summary>
    public int Attempt { get; }
}
