namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// How many workers the scheduler wants, and the figures it derived that from (<c>GET /api/autoscale</c>).
/// An autoscaler (KEDA, <c>tasks autoscale</c>) follows <see cref="DesiredWorkers"/>.
/// </summary>
/// <param name="DesiredWorkers">The figure to follow: bounded, and lowered only after the cooldown.</param>
/// <param name="RecommendedWorkers">What the figures ask for right now, before the cooldown holds a decrease back.</param>
/// <param name="CurrentWorkers">Workers taking work now (alive and not draining).</param>
/// <param name="DemandSlots">Task slots needed: arrivals times run time, plus the backlog over the target drain time.</param>
/// <param name="ArrivalRate">Accepted tasks per second, smoothed.</param>
/// <param name="MeanRunSeconds">Run time of recent tasks, smoothed (the configured default until one finished).</param>
/// <param name="WorkerCapacity">Slots per worker the figure assumes: the live workers' mean, or the configured one.</param>
public sealed record AutoscaleView(
    int DesiredWorkers,
    int RecommendedWorkers,
    int CurrentWorkers,
    int MinWorkers,
    int MaxWorkers,
    int Pending,
    int Running,
    double DemandSlots,
    double ArrivalRate,
    double MeanRunSeconds,
    double WorkerCapacity,
    DateTimeOffset At)
{
    /// <summary>Desired workers per pool (per set of worker tags tasks require); the default pool is the figure above.</summary>
    public IReadOnlyList<PoolDemand> Pools { get; init; } = [];
}
