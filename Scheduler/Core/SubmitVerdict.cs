namespace TaskScheduler.Scheduler.Core;

/// <summary>What became of a submission of one task or a graph, with the reason when it was refused.</summary>
public sealed record SubmitVerdict(SubmitOutcome Outcome, string? Reason = null)
{
    public static readonly SubmitVerdict Accepted = new(SubmitOutcome.Accepted);

    public static readonly SubmitVerdict Duplicate = new(SubmitOutcome.Duplicate);

    public const string ConflictReason = "id already belongs to a task with other content";

    public bool IsRejected => Outcome is SubmitOutcome.Conflict or SubmitOutcome.Invalid;
}
