using System.Diagnostics.Metrics;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// Queued and running tasks labelled by tenant group and by pool, and the workers each pool wants. Label values come
/// from producers (group names) and workers (tags), so they are bounded: the <see cref="MaxSeries"/> busiest groups
/// and pools keep their names, the rest are summed under <c>other</c>.
/// </summary>
public static class PlacementGauges
{
    public const int MaxSeries = 20;

    public static void Register(Meter meter, Func<SchedulerView> view, Func<AutoscaleView?> autoscale)
    {
        meter.CreateObservableGauge("taskscheduler.group.pending", () => Bounded(view().Groups, g => g.Group, g => g.Pending + g.Running, g => g.Pending, "group"),
            "{task}", "Pending tasks in the queue, by tenant group");
        meter.CreateObservableGauge("taskscheduler.group.running", () => Bounded(view().Groups, g => g.Group, g => g.Pending + g.Running, g => g.Running, "group"),
            "{task}", "Running tasks, by tenant group");
        meter.CreateObservableGauge("taskscheduler.pool.pending", () => Bounded(view().Pools, p => p.Pool, p => p.Pending + p.Running + p.Workers, p => p.Pending, "pool"),
            "{task}", "Pending tasks in the queue, by pool (the worker tags they require)");
        meter.CreateObservableGauge("taskscheduler.pool.running", () => Bounded(view().Pools, p => p.Pool, p => p.Pending + p.Running + p.Workers, p => p.Running, "pool"),
            "{task}", "Running tasks, by pool");
        meter.CreateObservableGauge("taskscheduler.pool.workers", () => Bounded(view().Pools, p => p.Pool, p => p.Pending + p.Running + p.Workers, p => p.Workers, "pool"),
            "{worker}", "Live workers whose tags are exactly the pool's");
        meter.CreateObservableGauge("taskscheduler.pool.desired_workers", () => autoscale() is { } a
                ? Bounded(a.Pools, p => p.Pool, p => p.Pending + p.Running + p.DesiredWorkers, p => p.DesiredWorkers, "pool")
                : [],
            "{worker}", "Workers each pool wants (GET /api/autoscale, pools)");
    }

    /// <summary>One measurement per item for the busiest, one summed <c>other</c> for the rest.</summary>
    public static List<Measurement<int>> Bounded<T>(IReadOnlyList<T> items, Func<T, string> name, Func<T, int> weight, Func<T, int> value, string label)
    {
        var ordered = items.OrderByDescending(weight).ThenBy(name, StringComparer.Ordinal).ToList();
        var measurements = ordered.Take(MaxSeries).Select(i => new Measurement<int>(value(i), new KeyValuePair<string, object?>(label, name(i)))).ToList();
        if (ordered.Count > MaxSeries)
        {
            measurements.Add(new Measurement<int>(ordered.Skip(MaxSeries).Sum(value), new KeyValuePair<string, object?>(label, "other")));
        }

        return measurements;
    }
}
