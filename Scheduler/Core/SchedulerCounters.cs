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

    public SchedulerCounters Copy() => (SchedulerCounters)MemberwiseClone();
}
