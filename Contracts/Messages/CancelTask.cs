namespace TaskScheduler.Contracts.Messages;

/// <summary>Sent on a worker's control queue: stop this attempt and do not report it.</summary>
public sealed record CancelTask(Guid TaskId, int Attempt, string Reason);
