namespace TaskScheduler.Contracts;

/// <summary>The words a task's history is written in.</summary>
public static class TaskHistoryEvents
{
    public const string Accepted = "accepted";
    public const string Assigned = "assigned";
    public const string Started = "started";
    public const string WorkerDead = "worker-dead";
    public const string Requeued = "requeued";
    public const string Preempted = "preempted";
    public const string Resumed = "resumed";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string RetryScheduled = "retry-scheduled";
    public const string DependencyFailed = "dependency-failed";

    /// <summary>An operator sent a Failed or Cancelled task (or one whose dependency was retried) back to the queue.</summary>
    public const string Retried = "retried";

    /// <summary>An operator changed the priority of a waiting task.</summary>
    public const string PriorityChanged = "priority-changed";

    /// <summary>Stands for the steps dropped from the middle of a long history; its detail says how many.</summary>
    public const string Truncated = "history-truncated";
}
