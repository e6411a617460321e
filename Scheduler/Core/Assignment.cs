namespace TaskScheduler.Scheduler.Core;

/// <summary>A decision to send one attempt of a task to a worker, made after its journal entry.</summary>
public readonly record struct Assignment(Guid TaskId, int Attempt, int Priority, string WorkerId, DateTimeOffset AssignedAt)
{
    /// <summary>Where a preempted task resumes from.</summary>
    public TimeSpan Progress { get; init; }
}
