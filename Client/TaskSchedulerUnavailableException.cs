namespace TaskScheduler.Client;

/// <summary>
/// The broker cannot be reached, or the system is not there: its exchanges do not exist (its scheduler has never
/// started under this prefix) or its HTTP API does not answer. <see cref="Part"/> says which.
/// </summary>
public sealed class TaskSchedulerUnavailableException : TaskSchedulerClientException
{
    public TaskSchedulerUnavailableException(UnavailablePart part, string message, Exception? innerException = null)
        : base(message, innerException) => Part = part;

    public TaskSchedulerUnavailableException()
    {
    }

    public TaskSchedulerUnavailableException(string message)
        : base(message)
    {
    }

    public TaskSchedulerUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public UnavailablePart Part { get; }
}
