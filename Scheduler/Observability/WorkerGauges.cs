using System.Diagnostics.Metrics;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// The per-worker gauges (tasks in flight, slots, utilization). The OpenTelemetry SDK keeps a point for every
/// attribute set an instrument ever reported, up to its cardinality limit (2,000 per metric), and under cumulative
/// temporality (Prometheus) never frees one: once an autoscaled fleet has used 2,000 worker ids, every new worker's
/// series would fall into one <c>otel.metric.overflow</c> series. So these gauges live on a meter of their own, made
/// afresh once <see cref="RenewAfter"/> of the workers it reported have departed; a gauge has no history to lose.
/// </summary>
public sealed class WorkerGauges : IDisposable
{
    /// <summary>Departed workers a meter may have reported before it is replaced: well within the SDK's limit.</summary>
    public const int RenewAfter = 1000;

    private readonly Func<SchedulerView> _view;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Meter _meter;

    public WorkerGauges(Func<SchedulerView> view)
    {
        _view = view;
        _meter = Create();
    }

    /// <summary>How many times the meter was replaced.</summary>
    public int Renewals { get; private set; }

    /// <summary>
    /// Notes the workers alive now and replaces the meter once enough others have departed. Called outside the
    /// gauges' own callbacks (a meter must not be disposed while it is being collected from).
    /// </summary>
    public void Track(IReadOnlyList<WorkerView> alive)
    {
        lock (_lock)
        {
            foreach (var worker in alive)
            {
                _seen.Add(worker.Id);
            }

            if (_seen.Count - alive.Count < RenewAfter)
            {
                return;
            }

            _meter.Dispose();
            _seen.Clear();
            _seen.UnionWith(alive.Select(w => w.Id));
            _meter = Create();
            Renewals++;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _meter.Dispose();
        }
    }

    private Meter Create()
    {
        var meter = new Meter(TelemetryNames.Scheduler);
        meter.CreateObservableGauge("taskscheduler.worker.in_flight", () => _view().Workers
            .Select(w => new Measurement<int>(w.InFlight, Worker(w.Id))), "{task}", "Tasks assigned to each worker");
        meter.CreateObservableGauge("taskscheduler.worker.capacity", () => _view().Workers
            .Select(w => new Measurement<int>(w.Capacity, Worker(w.Id))), "{task}", "Slots of each worker");
        meter.CreateObservableGauge("taskscheduler.worker.utilization", () => _view().Workers
            .Where(w => w.Capacity > 0)
            .Select(w => new Measurement<double>((double)w.InFlight / w.Capacity, Worker(w.Id))), null,
            "Share of each worker's slots in use, 0 to 1");
        return meter;
    }

    private static KeyValuePair<string, object?> Worker(string id) => new("worker", id);
}
