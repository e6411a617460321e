namespace TaskScheduler.Scheduler.Core;

/// <summary>Running totals since the scheduler started.</summary>
public sealed class SchedulerCounters
{
    public long Accepted { get; set; }

    public long Duplicates { get; set; }

    public long Rejected { get; set; }

    public long Completed { get; set; }

    public long Failed { get; set; }

    public long Requeued { get; set; }

    public long FencedResults { get; set; }

    public long WorkersDeclaredDead { get; set; }

    public long IgnoredWorkerMessages { get; set; }

    public long Cancelled { get; set; }

    /// <summary>Failed attempts that were given another try.</summary>
    public long RetriesScheduled { get; set; }

    /// <summary>Tasks that failed because a task they depend on failed or was cancelled.</summary>
    public long DependencyFailed { get; set; }

    /// <summary>Preempt orders sent to workers.</summary>
    public long PreemptionsOrdered { get; set; }

    /// <summary>Attempts a worker paused on such an order.</summary>
    public long Preempted { get; set; }

    /// <summary>Assignments that continue from a checkpoint.</summary>
    public long Resumed { get; set; }

    /// <summary>Tasks failed as poison: the workers running them died more often than Scheduler:MaxRequeues allows.</summary>
    public long Poisoned { get; set; }

    /// <summary>Finished tasks deleted from the journal once their retention passed.</summary>
    public long Expired { get; set; }

    public SchedulerCounters Copy() => (SchedulerCounters)MemberwiseClone();
}
