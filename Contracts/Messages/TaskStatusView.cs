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

    /// <summary>The last checkpoint the task saved or paused with, which the next attempt starts from.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>While Running: the handler's latest progress report, if it made one.</summary>
    public TaskProgress? Progress { get; init; }

    /// <summary>A Completed task's result, if it returned one.</summary>
    public string? Result { get; init; }

    /// <summary>How long one attempt may run; null when the worker's default applies.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A delayed task's earliest start, in UTC.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Worker tags the task needs.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>The tenant group the task belongs to; null for the default group.</summary>
    public string? Group { get; init; }
}
