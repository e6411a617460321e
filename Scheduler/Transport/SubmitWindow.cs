namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// How many submissions the broker may push ahead of their acknowledgement, sized by bytes rather than count: a
/// prefetch of 2,000 is what small tasks need for big turns, but 2,000 one-MiB submissions would be gigabytes in
/// the scheduler's memory. Watches a moving average of message sizes and proposes the prefetch that keeps the
/// unacknowledged bytes within the budget. Starts as if every message were as large as allowed, and opens up as
/// small messages are seen.
/// </summary>
public sealed class SubmitWindow
{
    private const int MinimumPrefetch = 8;
    private readonly long _budgetBytes;
    private readonly ushort _maximumPrefetch;
    private double _averageBytes;

    public SubmitWindow(long budgetBytes, ushort maximumPrefetch, int largestMessageBytes)
    {
        _budgetBytes = budgetBytes;
        _maximumPrefetch = maximumPrefetch;
        _averageBytes = largestMessageBytes;
        Prefetch = Fit(largestMessageBytes);
    }

    /// <summary>The prefetch currently in force.</summary>
    public ushort Prefetch { get; private set; }

    /// <summary>Counts one message; returns a new prefetch when the current one is off by more than a quarter (or a bound is reached).</summary>
    public ushort? Observe(int bodyBytes)
    {
        // Weighted towards the recent past, but a single large message moves it at once: memory is what we guard.
        _averageBytes = bodyBytes > _averageBytes ? bodyBytes : (_averageBytes * 0.95) + (bodyBytes * 0.05);
        var wanted = Fit(_averageBytes);
        var atBound = wanted == _maximumPrefetch || wanted <= MinimumPrefetch;
        if (wanted == Prefetch || (!atBound && Math.Abs(wanted - Prefetch) * 4 <= Prefetch))
        {
            return null;
        }

        Prefetch = wanted;
        return wanted;
    }

    private ushort Fit(double messageBytes)
    {
        var fits = (long)(_budgetBytes / Math.Max(messageBytes, 1));
        return (ushort)Math.Clamp(fits, Math.Min(MinimumPrefetch, (long)_maximumPrefetch), _maximumPrefetch);
    }
}
