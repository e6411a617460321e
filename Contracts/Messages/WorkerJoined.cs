namespace TaskScheduler.Contracts.Messages;

/// <summary>A worker announces itself after declaring its queues and starting to consume them.</summary>
public sealed record WorkerJoined(string WorkerId, int Capacity, string Host, int ProcessId, DateTimeOffset At);
