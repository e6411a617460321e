namespace TaskScheduler.Contracts.Messages;

/// <summary>Answer to <see cref="GetTaskStatus"/>; <see cref="Task"/> is null when the id is unknown.</summary>
public sealed record TaskStatusReply(Guid TaskId, bool Found, TaskStatusView? Task);
