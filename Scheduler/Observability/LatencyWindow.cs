namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// Durations seen during one sampling interval, for its percentiles. Beyond <see cref="Capacity"/> samples it keeps
/// a uniform random sample (reservoir sampling), so memory stays fixed at any throughput.
/// </summary>
public sealed class LatencyWindow
{
    public const int Capacity = 4096;

    private readonly double[] _samples = new double[Capacity];
    private readonly Lock _lock = new();
    private readonly Random _random = new(7);
    private int _count;
    private long _seen;

    public void Add(TimeSpan duration)
    {
        var ms = Math.Max(0, duration.TotalMilliseconds);
        lock (_lock)
        {
            _seen++;
            if (_count < Capacity)
            {
                _samples[_count++] = ms;
                return;
            }

#pragma warning disable CA5394 // Sampling for a chart, not security.
            var slot = _random.NextInt64(_seen);
#pragma warning restore CA5394
            if (slot < Capacity)
            {
                _samples[slot] = ms;
            }
        }
    }

    /// <summary>The percentiles of what was added since the last call, then starts afresh; null when nothing was.</summary>
    public Percentiles? Take()
    {
        double[] sorted;
        lock (_lock)
        {
            if (_count == 0)
            {
                return null;
            }

            sorted = _samples[.._count];
            _count = 0;
            _seen = 0;
        }

        Array.Sort(sorted);
        return new Percentiles(Rank(sorted, 0.50), Rank(sorted, 0.95), sorted.Length);
    }

    // Nearest rank: the smallest sample with at least that share of samples at or below it.
    private static double Rank(double[] sorted, double share) =>
        sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length) - 1, 0, sorted.Length - 1)];
}
