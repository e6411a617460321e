using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// The scheduler's recent history in memory, one <see cref="SeriesPoint"/> per interval for the last
/// <see cref="Capacity"/> intervals: rates from the core's counters, levels from its view, and the latency percentiles
/// of what happened in the interval. Sampled by <see cref="TimeSeriesSampler"/>, read by the dashboard.
/// </summary>
public sealed class TimeSeries
{
    /// <summary>Ten minutes at one point a second.</summary>
    public const int Capacity = 600;

    private readonly SeriesPoint[] _points = new SeriesPoint[Capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private SchedulerCounters? _lastCounters;
    private DateTimeOffset _lastAt;

    public TimeSeries(TimeSpan interval) => Interval = interval;

    public TimeSpan Interval { get; }

    public LatencyWindow SubmitToDone { get; } = new();

    public LatencyWindow AssignmentDelay { get; } = new();

    public LatencyWindow RunTime { get; } = new();

    /// <summary>Closes the current interval: records a point from the latest view and what the windows gathered.</summary>
    public SeriesPoint Sample(SchedulerView view, DateTimeOffset now)
    {
        var counters = view.Counters;
        var last = _lastCounters;
        var seconds = last is null ? Interval.TotalSeconds : Math.Max((now - _lastAt).TotalSeconds, 0.001);
        double Rate(Func<SchedulerCounters, long> counter) => last is null ? 0 : Math.Max(0, counter(counters) - counter(last)) / seconds;

        var live = view.Workers.Where(w => w.Confirmed).ToList();
        var submitToDone = SubmitToDone.Take();
        var delay = AssignmentDelay.Take();
        var run = RunTime.Take();
        var point = new SeriesPoint(
            now,
            Rate(c => c.Accepted),
            Rate(c => c.Completed),
            Rate(c => c.Failed),
            view.Pending,
            view.Running,
            live.Sum(w => w.InFlight),
            live.Sum(w => w.Capacity),
            submitToDone?.P50,
            submitToDone?.P95,
            delay?.P50,
            delay?.P95,
            run?.P50);

        _lastCounters = counters;
        _lastAt = now;
        lock (_lock)
        {
            _points[_next] = point;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }

        return point;
    }

    /// <summary>The points of the last <paramref name="span"/>, oldest first.</summary>
    public IReadOnlyList<SeriesPoint> Recent(TimeSpan span)
    {
        var wanted = (int)Math.Clamp(Math.Ceiling(span / Interval), 0, Capacity);
        lock (_lock)
        {
            var take = Math.Min(wanted, _count);
            var points = new SeriesPoint[take];
            for (var i = 0; i < take; i++)
            {
                points[i] = _points[(_next - take + i + Capacity) % Capacity];
            }

            return points;
        }
    }

    /// <summary>Tasks finished (completed or failed) per second, averaged over the last <paramref name="span"/>.</summary>
    public double Throughput(TimeSpan span)
    {
        var points = Recent(span);
        return points.Count == 0 ? 0 : points.Average(p => p.CompletedPerSecond + p.FailedPerSecond);
    }
}
