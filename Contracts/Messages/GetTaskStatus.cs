namespace TaskScheduler.Contracts.Messages;

/// <summary>Request (answered with <see cref="TaskStatusReply"/>) sent to the scheduler's status queue.</summary>
public sealed record GetTaskStatus(Guid TaskId);
