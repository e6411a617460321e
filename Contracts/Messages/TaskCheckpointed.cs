namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// A running attempt saved a checkpoint (<c>worker.{id}.checkpoint</c>): opaque text of at most
/// <see cref="Limits.MaxCheckpointBytes"/> that the next attempt starts from should this one be lost, handed back or
/// preempted without answering.
/// </summary>
public sealed record TaskCheckpointed(string WorkerId, Guid TaskId, int Attempt, string Checkpoint, DateTimeOffset At) : IWorkerEvent;
