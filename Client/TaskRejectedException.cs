namespace TaskScheduler.Client;

/// <summary>The scheduler refused a submission: invalid, its id taken by other content, a graph with a cycle...</summary>
public sealed class TaskRejectedException : TaskSchedulerClientException
{
    public TaskRejectedException(Guid taskId, string reason)
        : base($"task {taskId} was rejected: {reason}")
    {
        TaskId = taskId;
        Reason = reason;
    }

    public TaskRejectedException()
    {
    }

    public TaskRejectedException(string message)
        : base(message)
    {
    }

    public TaskRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public Guid TaskId { get; }

    public string Reason { get; } = "";
}
