using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core.Lifecycle;

/// <summary>A history entry of one task, to be journaled with the turn that produced it.</summary>
public readonly record struct HistoryRecord(Guid TaskId, TaskHistoryEntry Entry);
