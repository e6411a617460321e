namespace TaskScheduler.Scheduler.Core;

/// <summary>A decision to send one attempt of a task to a worker, made after its journal entry.</summary>
public readonly record struct Assignment(Guid TaskId, int Attempt, int Priority, string WorkerId, DateTimeOffset AssignedAt)
{
    /// <summary>The checkpoint the attempt starts from; null on a first run.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>How long the attempt may run; null leaves it to the worker.</summary>
    public TimeSpan? Timeout { get; init; }
}
