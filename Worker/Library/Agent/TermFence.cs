namespace TaskScheduler.Worker.Agent;

/// <summary>
/// The worker's side of fencing (docs/workers.md, "Terms"): the highest scheduler term seen, from any order or a
/// new leader's <c>leads</c>, and the rule that an order of a lower term is not obeyed, since it comes from a
/// scheduler that has been deposed (frozen or cut off while another took over). Any thread.
/// </summary>
internal sealed class TermFence
{
    private long _highest;
    private long _refused;

    /// <summary>The highest term seen; 0 while every scheduler has been a single one.</summary>
    public long Highest => Interlocked.Read(ref _highest);

    /// <summary>How many orders were refused since the process started.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Learns <paramref name="term"/>; false, and counted, when a higher one has been seen: refuse the order.</summary>
    public bool Admits(long term)
    {
        if (Learn(term) <= term)
        {
            return true;
        }

        Interlocked.Increment(ref _refused);
        return false;
    }

    /// <summary>Learns <paramref name="term"/> (a new leader's <c>leads</c>, which is no order); returns the highest term seen.</summary>
    public long Learn(long term)
    {
        var seen = Interlocked.Read(ref _highest);
        while (term > seen)
        {
            var was = Interlocked.CompareExchange(ref _highest, term, seen);
            if (was == seen)
            {
                return term;
            }

            seen = was;
        }

        return seen;
    }
}
