namespace TaskScheduler.Contracts.Messages;

/// <summary>A worker stops gracefully; what it could not finish in time it hands back.</summary>
public sealed record WorkerLeft(string WorkerId, IReadOnlyList<RunningTask> HandedBack, DateTimeOffset At) : IWorkerEvent;
