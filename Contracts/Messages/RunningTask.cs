namespace TaskScheduler.Contracts.Messages;

/// <summary>One attempt a worker holds, as listed in its heartbeats.</summary>
public sealed record RunningTask(Guid TaskId, int Attempt);
