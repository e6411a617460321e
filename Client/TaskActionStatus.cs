namespace TaskScheduler.Client;

/// <summary>How the scheduler answered an action on a task (retry, priority change, delete).</summary>
public enum TaskActionStatus
{
    /// <summary>Done, and journaled in the task's history (a delete removes the task instead).</summary>
    Done,

    /// <summary>The scheduler knows no task with this id.</summary>
    NotFound,

    /// <summary>The task is not in a state the action applies to; <see cref="TaskActionResult.Detail"/> says why.</summary>
    NotApplicable,
}
