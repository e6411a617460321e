namespace TaskScheduler.Scheduler.Core;

/// <summary>Why a submission was refused, and its id when one could be read.</summary>
public sealed record SubmissionRejection(Guid? Id, string Reason);
