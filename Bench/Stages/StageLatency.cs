namespace TaskScheduler.Bench.Stages;

/// <summary>
/// One scheduler stage over a bench run: how many times it was recorded (per input, per group or per task, by
/// stage) and its percentiles in milliseconds, interpolated within the histogram's buckets.
/// </summary>
public sealed record StageLatency(string Stage, long Count, double P50, double P90, double P99);
