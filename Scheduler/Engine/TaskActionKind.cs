namespace TaskScheduler.Scheduler.Engine;

/// <summary>The operator's actions that go through the loop (cancelling has its own input, shared with the broker).</summary>
public enum TaskActionKind
{
    Retry,
    ChangePriority,
    Delete,
}
