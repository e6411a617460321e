using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core.Liveness;

/// <summary>A preempt order for a worker's control queue.</summary>
public readonly record struct WorkerPreempt(string WorkerId, PreemptTask Order);
