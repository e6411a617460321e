namespace TaskScheduler.Dashboard;

/// <summary>The headline figures: what waits, what runs, how busy the workers are, and totals since start.</summary>
public sealed record DashboardTotals(
    int Pending,
    int Running,
    int WorkersAlive,
    int Slots,
    int BusySlots,
    double Throughput,
    long Accepted,
    long Completed,
    long Failed,
    long Rejected,
    long Requeued,
    DateTimeOffset StartedAt);
