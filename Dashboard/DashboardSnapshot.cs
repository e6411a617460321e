using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Dashboard;

/// <summary>
/// Everything the dashboard and <c>tasks top</c> show, in one answer of <c>GET /api/dashboard</c>, so one poll
/// gives a consistent picture.
/// </summary>
public sealed record DashboardSnapshot(
    DateTimeOffset At,
    bool Ready,
    DashboardTotals Totals,
    IReadOnlyList<WorkerView> Workers,
    IReadOnlyList<QueueDepth> Queue,
    int IntervalSeconds,
    IReadOnlyList<SeriesPoint> Series,
    IReadOnlyList<FailedTask> RecentFailures)
{
    /// <summary>
    /// Running tasks whose handlers report progress, by worker then task id, at most
    /// <see cref="DashboardLimits.MaxProgress"/> of them (<see cref="ProgressTotal"/> says how many there are).
    /// </summary>
    public IReadOnlyList<RunningTaskProgress> Progress { get; init; } = [];

    /// <summary>How many running tasks report progress, listed or not.</summary>
    public int ProgressTotal { get; init; }

    /// <summary>While the journal cannot write (a full disk): why, and since when; nothing is accepted meanwhile.</summary>
    public string? JournalProblem { get; init; }
}
