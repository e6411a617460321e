using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Bench;

/// <summary>
/// What a bench run reads of the scheduler's HTTP API besides the tasks themselves: the workers (for utilization),
/// its memory and its stage histograms. Each reading is optional to the report, so any failure of one is reported as
/// "not measured", whatever the implementation throws.
/// </summary>
public interface ISchedulerReadings
{
    Task<WorkerView[]> GetWorkersAsync(CancellationToken ct);

    /// <summary>The scheduler's working set now and at its peak (bytes); null if it does not say.</summary>
    Task<(long WorkingSet, long PeakWorkingSet)?> GetMemoryAsync(CancellationToken ct);

    /// <summary>The scheduler's metrics as Prometheus text.</summary>
    Task<string> GetMetricsTextAsync(CancellationToken ct);
}
