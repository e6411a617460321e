using System.Diagnostics;

namespace TaskScheduler.Bench;

/// <summary>
/// The run's timeline: a monotonic stopwatch for the bench's own measurements, anchored to the wall clock so that
/// times reported by workers (their clock) can be placed on it. Workers on other hosts need synchronised clocks.
/// </summary>
public sealed class BenchClock
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    public DateTimeOffset StartedAtUtc { get; } = DateTimeOffset.UtcNow;

    /// <summary>Now, in stopwatch ticks since the run started.</summary>
    public long Now => Stopwatch.GetTimestamp() - _origin;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_origin);

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    /// <summary>A wall-clock time (a worker's) on this run's timeline, in milliseconds since the start.</summary>
    public double MillisecondsSinceStart(DateTimeOffset wall) => (wall - StartedAtUtc).TotalMilliseconds;
}
