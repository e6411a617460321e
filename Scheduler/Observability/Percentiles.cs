namespace TaskScheduler.Scheduler.Observability;

/// <summary>The median and the 95th percentile of some durations, in milliseconds.</summary>
public readonly record struct Percentiles(double P50, double P95, int Count);
