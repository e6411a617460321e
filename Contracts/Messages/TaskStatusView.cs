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
    int PayloadBytes);
