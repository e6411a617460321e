using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core;

/// <summary>An immutable picture of the scheduler for readers on other threads (HTTP, status requests).</summary>
public sealed record SchedulerView(
    IReadOnlyList<WorkerView> Workers,
    IReadOnlyList<KeyValuePair<int, int>> PendingByPriority,
    int Pending,
    int Running,
    SchedulerCounters Counters,
    DateTimeOffset At)
{
    public static readonly SchedulerView Empty = new([], [], 0, 0, new SchedulerCounters(), DateTimeOffset.MinValue);

    public int FreeSlots => Workers.Where(w => w.Confirmed && !w.Draining).Sum(w => Math.Max(0, w.Capacity - w.InFlight));
}
