namespace TaskScheduler.Scheduler.Core;

/// <summary>A submission that passed validation.</summary>
public sealed record ParsedSubmission(Guid Id, string Payload, int Priority, string ContentHash, int PayloadBytes)
{
    /// <summary>Distinct ids of the tasks this one depends on.</summary>
    public IReadOnlyList<Guid> DependsOn { get; init; } = [];

    public int MaxRetries { get; init; }

    /// <summary>How long one attempt may run; null leaves it to the worker.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The earliest start the producer asked for, in UTC.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>The start asked for relative to acceptance: the core adds it to the time it accepts the task.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Worker tags the task needs, sorted and distinct.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>The tenant group; null is the default group.</summary>
    public string? Group { get; init; }

    /// <summary>When the task may start if accepted at <paramref name="acceptedAt"/>; null when at once.</summary>
    public DateTimeOffset? StartAfter(DateTimeOffset acceptedAt) =>
        RunAt ?? (Delay is { } delay ? TimeMath.Plus(acceptedAt, delay) : null);
}
