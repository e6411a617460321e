namespace TaskScheduler.Contracts.Messages;

/// <summary>What the scheduler knows of one task, as the API, the CLI and status replies show it.</summary>
public sealed record TaskStatusView(
    Guid Id,
    TaskState State,
    int Priority,
    int Attempts,
    string? WorkerId,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? PendingReason,
    int PayloadBytes)
{
    /// <summary>The tasks this one waits for.</summary>
    public IReadOnlyList<Guid> DependsOn { get; init; } = [];

    /// <summary>How many of <see cref="DependsOn"/> have not completed yet (while the task is Pending).</summary>
    public int UnfinishedDependencies { get; init; }

    public int MaxRetries { get; init; }

    /// <summary>Failed attempts retried so far.</summary>
    public int Retries { get; init; }

    /// <summary>While a retry waits out its backoff: when it may run.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>How often the task was preempted.</summary>
    public int Preemptions { get; init; }

    /// <summary>Work checkpointed by preempted attempts, which the next attempt continues from.</summary>
    public TimeSpan Progress { get; init; }
}
