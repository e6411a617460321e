namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// For a Pending task, what it waits in: the queue, the queue after a preemption, or a retry's backoff. Whether it
/// also waits on dependencies follows from them, so it is not stored.
/// </summary>
public enum PendingWait
{
    Queued,
    Preempted,
    RetryBackoff,
}
