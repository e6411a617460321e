using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core.Liveness;

/// <summary>An order for a worker's control queue.</summary>
public readonly record struct WorkerCancel(string WorkerId, CancelTask Order);
