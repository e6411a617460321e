namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// For a Pending task, what it waits in: the queue, the queue after a preemption, a retry's backoff, or the time
/// it was submitted to start at. Whether it also waits on dependencies follows from them, so it is not stored.
/// </summary>
public enum PendingWait
{
    Queued,
    Preempted,
    RetryBackoff,
    Scheduled,
}
