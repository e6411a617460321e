namespace TaskScheduler.Bench.Stages;

/// <summary>
/// Reads the scheduler's stage histograms before and after a run, for the run's share of them. The order is the
/// path a task takes (Scheduler/Observability/SchedulerStages.cs says what each stage is).
/// </summary>
/// <param name="readMetrics">Reads the scheduler's metrics as Prometheus text.</param>
public sealed class StageMeter(Func<CancellationToken, Task<string>> readMetrics)
{
    public static readonly IReadOnlyList<string> PathOrder =
        ["consume", "group_wait", "apply", "commit", "handover", "fsync", "checkpoint", "publish_wait", "confirm", "worker_start", "slot_round_trip"];

    private StageHistograms? _before;

    public async Task StartAsync(CancellationToken ct) => _before = await ReadAsync(ct);

    /// <summary>The stages recorded during the run; empty when the scheduler's metrics could not be read (or have none).</summary>
    public async Task<IReadOnlyList<StageLatency>> FinishAsync(CancellationToken ct) =>
        _before is not null && await ReadAsync(ct) is { } after ? after.Since(_before, PathOrder) : [];

    private async Task<StageHistograms?> ReadAsync(CancellationToken ct)
    {
        try
        {
            return StageHistograms.Parse(await readMetrics(ct));
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
