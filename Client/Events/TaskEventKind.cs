namespace TaskScheduler.Client.Events;

/// <summary>What a task event says, as the last word of its routing key <c>task.{id}.{kind}</c>.</summary>
public enum TaskEventKind
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,

    /// <summary>A submission carrying this id was refused; <see cref="TaskEvent.Error"/> says why.</summary>
    Rejected,
}
