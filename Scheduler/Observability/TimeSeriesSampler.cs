
namespace TaskScheduler.Scheduler.Observability;

/// <summary>Timing only: closes an interval of <see cref="TimeSeries"/> every <see cref="TimeSeries.Interval"/>.</summary>
public sealed class TimeSeriesSampler : BackgroundService
{
    private readonly TimeSeries _series;
    private readonly SchedulerState _state;
    private readonly TimeProvider _time;

    public TimeSeriesSampler(TimeSeries series, SchedulerState state, TimeProvider time)
    {
        _series = series;
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
                _series.Sample(_state.View, _time.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
