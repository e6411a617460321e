namespace TaskScheduler.Contracts.Listing;

/// <summary>One task in a list: enough to pick it out and act on it; <c>GET /api/tasks/{id}</c> has the rest.</summary>
public sealed record TaskSummary(
    Guid Id,
    TaskState State,
    int Priority,
    int Attempts,
    string? WorkerId,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    int PayloadBytes)
{
    /// <summary>The payload's first characters (up to <see cref="TaskListFilter.MaxPrefixChars"/>).</summary>
    public string? PayloadHead { get; init; }
}
