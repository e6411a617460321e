namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Sent on a worker's control queue (AMQP type <c>leads</c>) by a scheduler that has just become the leader of a
/// replicated deployment: from now on the worker refuses orders of a lower term, so a deposed leader that wakes up
/// late sends nothing it runs (docs/workers.md, "Terms").
/// </summary>
public sealed record SchedulerLeads(long Term, DateTimeOffset At);
