using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Core;

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
    int PayloadBytes);
