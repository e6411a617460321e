namespace TaskScheduler.Contracts.Messages;

/// <summary>A worker reports the end of one attempt.</summary>
public sealed record TaskFinished(
    string WorkerId,
    Guid TaskId,
    int Attempt,
    TaskOutcome Outcome,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt);
