namespace TaskScheduler.Contracts.Messages;

/// <summary>Published on <c>task.{id}.rejected</c> when a submission whose id could be read is refused.</summary>
public sealed record TaskRejected(Guid TaskId, string Reason, DateTimeOffset At);
