using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Autoscaling;

/// <summary>
/// Turns what the scheduler sees (backlog, tasks running, arrivals, run times of finished tasks) into how many
/// workers it wants. Pure and driven by a <see cref="TimeProvider"/>; the scheduler's loop feeds it after every group.
/// <para>
/// Slots needed = arrival rate × run time (to keep up) + backlog × run time / target backlog time (to catch up), and
/// never fewer than the tasks running. Workers = slots / capacity, rounded up and bounded. Arrival rate and run
/// time are smoothed exponentially. A higher figure is published at once; a lower one only when every
/// recommendation of the last cooldown was that low, so the pool neither flaps nor sheds workers between bursts.
/// </para>
/// </summary>
public sealed class WorkerDemandEstimator
{
    private readonly AutoscaleOptions _options;
    private readonly TimeProvider _time;
    // Recent recommendations, values strictly decreasing from front to back: the front is the highest of the window.
    private readonly LinkedList<(DateTimeOffset At, int Workers)> _window = new();
    private DateTimeOffset? _lastUpdate;
    private long _lastAccepted;
    private double _arrivalRate;
    private double? _runSeconds;
    private double _runSum;
    private int _runCount;

    public WorkerDemandEstimator(AutoscaleOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Records how long a finished task ran.</summary>
    public void RecordRun(TimeSpan duration)
    {
        if (duration >= TimeSpan.Zero)
        {
            _runSum += duration.TotalSeconds;
            _runCount++;
        }
    }

    /// <summary>Takes in the scheduler's current picture and returns the figure to publish.</summary>
    public AutoscaleView Update(SchedulerView view)
    {
        var now = _time.GetUtcNow();
        Smooth(now, view.Counters.Accepted);

        var runSeconds = _runSeconds ?? _options.DefaultRunTime.TotalSeconds;
        var slots = (_arrivalRate * runSeconds) + (view.Pending * runSeconds / _options.TargetBacklogTime.TotalSeconds);
        slots = Math.Max(slots, view.Running);

        var taking = view.Workers.Where(w => w.Confirmed && !w.Draining).ToList();
        var capacity = taking.Count > 0 ? taking.Average(w => w.Capacity) : _options.WorkerCapacity;
        // A hair below a whole number of workers is that number: floating-point noise must not add a worker.
        var recommended = Math.Clamp((int)Math.Ceiling((slots / capacity) - 1e-9), _options.MinWorkers, _options.MaxWorkers);

        while (_window.Last is { } last && last.Value.Workers <= recommended)
        {
            _window.RemoveLast();
        }

        _window.AddLast((now, recommended));
        while (_window.First!.Value.At < now - _options.ScaleInCooldown)
        {
            _window.RemoveFirst();
        }

        return new AutoscaleView(
            _window.First.Value.Workers, recommended, taking.Count, _options.MinWorkers, _options.MaxWorkers,
            view.Pending, view.Running, Math.Round(slots, 3), Math.Round(_arrivalRate, 3), Math.Round(runSeconds, 3),
            Math.Round(capacity, 2), now)
        {
            Pools = PoolDemands(view, runSeconds, capacity),
        };
    }

    /// <summary>
    /// Each pool's own figure: its running tasks plus its backlog over the target drain time, with its share of the
    /// arrivals (in proportion to its backlog). No cooldown: the pools of tagged workers are usually small and scale on
    /// what waits for them; the default pool never goes below <c>MinWorkers</c>.
    /// </summary>
    private PoolDemand[] PoolDemands(SchedulerView view, double runSeconds, double capacity) =>
    [
        .. view.Pools.Select(p =>
        {
            var arrivals = view.Pending == 0 ? 0 : _arrivalRate * p.Pending / view.Pending;
            var slots = Math.Max(p.Running, (arrivals * runSeconds) + (p.Pending * runSeconds / _options.TargetBacklogTime.TotalSeconds) + p.Running);
            var min = p.Tags.Count == 0 ? _options.MinWorkers : 0;
            var desired = Math.Clamp((int)Math.Ceiling((slots / capacity) - 1e-9), min, _options.MaxWorkers);
            return new PoolDemand(p.Pool, p.Tags, desired, p.Workers, p.Pending, p.Running);
        }),
    ];

    private void Smooth(DateTimeOffset now, long accepted)
    {
        if (_lastUpdate is not { } last)
        {
            _lastUpdate = now;
            _lastAccepted = accepted;
            return;
        }

        var elapsed = (now - last).TotalSeconds;
        if (elapsed <= 0)
        {
            return;
        }

        // Exponential smoothing in continuous time: the weight of the newest interval grows with its length, so the
        // result does not depend on how often the loop happens to call.
        var weight = 1 - Math.Exp(-elapsed / _options.Smoothing.TotalSeconds);
        var rate = Math.Max(0, accepted - _lastAccepted) / elapsed;
        _arrivalRate += weight * (rate - _arrivalRate);
        if (_runCount > 0)
        {
            var mean = _runSum / _runCount;
            _runSeconds = _runSeconds is { } previous ? previous + (weight * (mean - previous)) : mean;
            _runSum = 0;
            _runCount = 0;
        }

        _lastUpdate = now;
        _lastAccepted = accepted;
    }
}
