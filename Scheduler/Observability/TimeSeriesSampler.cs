
namespace TaskScheduler.Scheduler.Observability;

/// <summary>Timing only: closes an interval of <see cref="TimeSeries"/> every <see cref="TimeSeries.Interval"/>.</summary>
public sealed class TimeSeriesSampler(TimeSeries series, SchedulerState state, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(series.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                series.Sample(state.View, time.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
