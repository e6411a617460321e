
namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// Timing only: closes an interval of <see cref="TimeSeries"/> every <see cref="TimeSeries.Interval"/>, and lets the
/// per-worker gauges see who is alive (<see cref="WorkerGauges"/>).
/// </summary>
public sealed class TimeSeriesSampler(TimeSeries series, PublishedView state, SchedulerMetrics metrics, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(series.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var view = state.View;
                series.Sample(view, time.GetUtcNow());
                metrics.Workers.Track(view.Workers);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
