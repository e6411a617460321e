namespace TaskScheduler.Client;

/// <summary>The scheduler's answer to a cancellation.</summary>
public enum CancelResult
{
    /// <summary>The task is now Cancelled: a pending one never runs, a running one was stopped.</summary>
    Cancelled,

    /// <summary>It had been cancelled before; nothing changed.</summary>
    AlreadyCancelled,

    /// <summary>It had already Completed or Failed, and stays so.</summary>
    AlreadyFinished,

    /// <summary>The scheduler knows no task with this id.</summary>
    NotFound,
}
