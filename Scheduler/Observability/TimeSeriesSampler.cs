using TaskScheduler.Scheduler.Engine;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// Timing only: closes an interval of <see cref="TimeSeries"/> every <see cref="TimeSeries.Interval"/>, and lets the
/// per-worker gauges see who is alive (<see cref="WorkerGauges"/>).
/// </summary>
public sealed class TimeSeriesSampler : BackgroundService
{
    private readonly TimeSeries _series;
    private readonly SchedulerState _state;
    private readonly TimeProvider _time;
    private readonly WorkerGauges _workers;

    public TimeSeriesSampler(TimeSeries series, SchedulerState state, SchedulerMetrics metrics, TimeProvider time)
    {
        _series = series;
        _workers = metrics.Workers;
        _state = state;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_series.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var view = _state.View;
                _series.Sample(view, _time.GetUtcNow());
                _workers.Track(view.Workers);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
