namespace TaskScheduler.Contracts;

/// <summary>Where a task is in its life. Completed, Failed and Cancelled are final.</summary>
public enum TaskState
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}
