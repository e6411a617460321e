namespace TaskScheduler.Scheduler.Core;

/// <summary>A submission that passed validation.</summary>
public sealed record ParsedSubmission(Guid Id, string Payload, int Priority, string ContentHash, int PayloadBytes)
{
    /// <summary>Distinct ids of the tasks this one depends on.</summary>
    public IReadOnlyList<Guid> DependsOn { get; init; } = [];

    public int MaxRetries { get; init; }

    /// <summary>How long one attempt may run; null leaves it to the worker.</summary>
    public TimeSpan? Timeout { get; init; }
}
