using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Dispatching;

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

    /// <summary>Pending tasks waiting for their dependencies (not in <see cref="Pending"/>, which counts the queue).</summary>
    public int WaitingOnDependencies { get; init; }

    /// <summary>Pending tasks waiting for the clock: a retry's backoff or a delayed start (not in <see cref="Pending"/> either).</summary>
    public int WaitingOnTime { get; init; }

    /// <summary>Running tasks whose handlers reported progress, by task id.</summary>
    public IReadOnlyDictionary<Guid, RunningTaskProgress> Progress { get; init; } = new Dictionary<Guid, RunningTaskProgress>();

    /// <summary>Tenant groups with tasks queued or running, or configured, by name.</summary>
    public IReadOnlyList<GroupLoad> Groups { get; init; } = [];

    /// <summary>Pools with tasks queued or running, or live workers, by name; the default pool first.</summary>
    public IReadOnlyList<PoolLoad> Pools { get; init; } = [];

    /// <summary>How far the restore is, while pending tasks are still being read from the journal; null once it is done.</summary>
    public RestoreProgress? Restore { get; init; }

    public int FreeSlots => Workers.Where(w => w.Confirmed && !w.Draining).Sum(w => Math.Max(0, w.Capacity - w.InFlight));
}
