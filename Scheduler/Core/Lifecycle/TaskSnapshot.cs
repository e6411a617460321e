using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core.Lifecycle;

/// <summary>One task as the journal holds it: written whole on every change.</summary>
public sealed record TaskSnapshot(
    Guid Id,
    int Priority,
    long Sequence,
    TaskState State,
    int Attempts,
    string? WorkerId,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? AssignedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? Note,
    string ContentHash,
    int PayloadBytes)
{
    /// <summary>The tasks this one waits for (compared by reference: compare the lists themselves in tests).</summary>
    public IReadOnlyList<Guid> DependsOn { get; init; } = [];

    public int MaxRetries { get; init; }

    public int Retries { get; init; }

    public DateTimeOffset? RetryAt { get; init; }

    public PendingWait Wait { get; init; }

    /// <summary>How long one attempt may run; null leaves it to the worker's default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A delayed task's earliest start.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Worker tags the task needs, sorted.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>The tenant group; null for the default group.</summary>
    public string? Group { get; init; }

    /// <summary>The last checkpoint saved or paused with, which the next attempt starts from.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>A Completed task's result.</summary>
    public string? Result { get; init; }

    public int Preemptions { get; init; }

    /// <summary>Requeues caused by the death of the worker running the task; past the limit it fails as poison.</summary>
    public int WorkerDeaths { get; init; }

    /// <summary>Steps of the task's life after its acceptance, oldest first (see <see cref="TaskHistory"/>).</summary>
    public IReadOnlyList<TaskHistoryEntry> History { get; init; } = [];
}
