namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// The answer to an operator's action: the outcome, the reason when it was refused, and for a retry the dependents
/// that went back to waiting with it.
/// </summary>
public sealed record TaskActionVerdict(TaskActionOutcome Outcome, string? Reason = null)
{
    public static readonly TaskActionVerdict Done = new(TaskActionOutcome.Done);

    public static readonly TaskActionVerdict NotFound = new(TaskActionOutcome.NotFound);

    public IReadOnlyList<Guid> Released { get; init; } = [];

    public static TaskActionVerdict Conflict(string reason) => new(TaskActionOutcome.Conflict, reason);
}
