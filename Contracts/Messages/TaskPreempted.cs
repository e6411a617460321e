namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// A worker paused an attempt on the scheduler's order. <see cref="Checkpoint"/> is the handler's answer, opaque
/// text the next attempt starts from; null keeps the last checkpoint the task saved.
/// </summary>
public sealed record TaskPreempted(string WorkerId, Guid TaskId, int Attempt, string? Checkpoint, DateTimeOffset At) : IWorkerEvent;
