namespace TaskScheduler.Scheduler.Core;

/// <summary>How an operator's action on a task went.</summary>
public enum TaskActionOutcome
{
    Done,
    NotFound,

    /// <summary>The task is not in a state the action applies to (the verdict's reason says which).</summary>
    Conflict,
}
