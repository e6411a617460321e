namespace TaskScheduler.Dashboard;

/// <summary>What one dashboard answer holds at most: it is polled every second, so it stays small whatever runs.</summary>
public static class DashboardLimits
{
    /// <summary>Running tasks listed with their progress.</summary>
    public const int MaxProgress = 50;

    /// <summary>A recent failure's error is cut to this many characters; the task's status has it whole.</summary>
    public const int MaxErrorLength = 500;
}
