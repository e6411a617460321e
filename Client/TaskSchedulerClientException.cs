namespace TaskScheduler.Client;

/// <summary>Base of the client's own exceptions.</summary>
public class TaskSchedulerClientException : Exception
{
    public TaskSchedulerClientException()
    {
    }

    public TaskSchedulerClientException(string message)
        : base(message)
    {
    }

    public TaskSchedulerClientException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
