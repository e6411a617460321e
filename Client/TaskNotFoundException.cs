namespace TaskScheduler.Client;

/// <summary>The scheduler does not know the task: never submitted, not arrived within the grace, deleted or expired.</summary>
public sealed class TaskNotFoundException : TaskSchedulerClientException
{
    public TaskNotFoundException(Guid taskId)
        : base($"task {taskId} is unknown or expired")
    {
        TaskId = taskId;
    }

    public TaskNotFoundException()
    {
    }

    public TaskNotFoundException(string message)
        : base(message)
    {
    }

    public TaskNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public Guid TaskId { get; }
}
