using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Dashboard;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>Assembles the dashboard's one answer from the latest view, the time series and the recent failures.</summary>
public sealed class DashboardSnapshots(TimeSeries series, RecentFailures failures, DateTimeOffset startedAt)
{
    public DashboardSnapshot Build(SchedulerView view, bool ready, TimeSpan history, DateTimeOffset now)
    {
        var live = view.Workers.Where(w => w.Confirmed).ToList();
        var counters = view.Counters;
        var totals = new DashboardTotals(
            view.Pending,
            view.Running,
            live.Count,
            live.Sum(w => w.Capacity),
            live.Sum(w => w.InFlight),
            Math.Round(series.Throughput(TimeSpan.FromSeconds(10)), 1),
            counters.Accepted,
            counters.Completed,
            counters.Failed,
            counters.Rejected,
            counters.Requeued,
            startedAt);
        var queue = view.PendingByPriority
            .OrderByDescending(p => p.Key)
            .Select(p => new QueueDepth(p.Key, p.Value))
            .ToArray();
        return new DashboardSnapshot(
            now,
            ready,
            totals,
            view.Workers,
            queue,
            (int)series.Interval.TotalSeconds,
            series.Recent(history),
            failures.Newest(20).Select(Shortened).ToArray())
        {
            Progress = view.Progress.Values
                .OrderBy(p => p.WorkerId, StringComparer.Ordinal)
                .ThenBy(p => p.TaskId)
                .Take(DashboardLimits.MaxProgress)
                .ToArray(),
            ProgressTotal = view.Progress.Count,
        };
    }

    /// <summary>A handler's error may be a whole stack trace or a program's standard error; the page needs its start.</summary>
    private static FailedTask Shortened(FailedTask failure)
    {
        return failure.Error is { Length: > DashboardLimits.MaxErrorLength } error
            ? failure with { Error = BoundedText.Shorten(error, DashboardLimits.MaxErrorLength) }
            : failure;
    }
}
