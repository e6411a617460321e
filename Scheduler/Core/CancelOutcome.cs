namespace TaskScheduler.Scheduler.Core;

public enum CancelOutcome
{
    /// <summary>The task is now Cancelled (a running attempt was told to stop).</summary>
    Cancelled,

    /// <summary>It was cancelled before: nothing to do.</summary>
    AlreadyCancelled,

    /// <summary>It already completed or failed; that stands.</summary>
    AlreadyFinished,

    /// <summary>No task has this id.</summary>
    NotFound,
}
