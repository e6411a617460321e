namespace TaskScheduler.Client;

/// <summary>Base of the client's own exceptions.</summary>
public class TaskSchedulerException : Exception
{
    public TaskSchedulerException()
    {
    }

    public TaskSchedulerException(string message)
        : base(message)
    {
    }

    public TaskSchedulerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
