namespace TaskScheduler.Scheduler.Core.Retention;

/// <summary>
/// When the loop next deletes expired tasks, and how many at a time. Expiry runs in slices on the loop's own thread,
/// so a slice holds up the turn it runs in: a large expiry (a retention shortened, a burst that reaches its retention
/// at once) is paced by what its slices cost, not by their count. Each slice aims at <see cref="SliceBudget"/>: the
/// next slice's size follows the time per delete the last one measured. While slices come back full, the next is due
/// only after a rest that keeps expiry to <see cref="MaxShare"/> of wall time, so dispatch keeps the rest; once a
/// slice comes back short (nothing more is due), the journal is looked at again after <see cref="Interval"/>.
/// One exception keeps a steady load from outrunning expiry: a slice may always delete as many tasks as the loop
/// finished since the last one (<see cref="Finished"/>), whatever the budget, since at a steady rate that many fall
/// due meanwhile. On a machine so starved that the budget buys only a few deletes, the journal would otherwise grow
/// for as long as the load lasts. Pure: the caller measures a slice and passes the time in.
/// </summary>
public sealed class ExpirySchedule
{
    /// <summary>
    /// What one slice should take: a turn waits at most about this long for expiry. Not much less: a slice's
    /// transaction rewrites the index pages its deletes share, so many small slices delete far fewer tasks a second
    /// than fewer larger ones (slices of 10 ms fell behind a soak's 250 completions a second on the loaded test machine).
    /// </summary>
    public static readonly TimeSpan SliceBudget = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// The share of wall time that expiry may take while it has a backlog: dispatch keeps a third, and expiry still
    /// keeps pace with as many completions as the loop can make (the soak in docs/benchmarks.md).
    /// </summary>
    public const double MaxShare = 2.0 / 3;

    /// <summary>Bounds of a slice's size: the smallest still makes progress on a slow disk, the largest bounds a transaction.</summary>
    public const int MinSliceSize = 20;

    /// <inheritdoc cref="MinSliceSize"/>
    public const int MaxSliceSize = 1000;

    /// <summary>The size of the first slice, before any has been measured.</summary>
    public const int FirstSliceSize = 100;

    /// <summary>How often the journal is asked whether something expired, when the last slice found it all done.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>When the next slice is due; the first is due at once.</summary>
    public DateTimeOffset NextAt { get; private set; } = DateTimeOffset.MinValue;

    private int _sized = FirstSliceSize;
    private int _finished;

    /// <summary>How many deletes the next slice may do: what fits the budget, or what finished since the last slice.</summary>
    public int SliceSize => Math.Max(_sized, Math.Min(_finished, MaxSliceSize));

    /// <summary>The loop finished <paramref name="tasks"/> more tasks (they fall due one retention later).</summary>
    public void Finished(int tasks) => _finished = (int)Math.Min((long)_finished + Math.Max(tasks, 0), int.MaxValue);

    public bool IsDue(DateTimeOffset now) => now >= NextAt;

    /// <summary>
    /// A slice deleted <paramref name="deleted"/> tasks (or payloads) in <paramref name="took"/>, ending at
    /// <paramref name="now"/>.
    /// </summary>
    public void SliceDone(int deleted, TimeSpan took, DateTimeOffset now)
    {
        var full = deleted >= SliceSize;
        _finished = 0;
        if (deleted > 0)
        {
            _sized = NextSize(deleted, took);
        }

        NextAt = full ? TimeMath.Plus(now, Rest(took)) : TimeMath.Plus(now, Interval);
    }

    /// <summary>
    /// As many deletes as fit the budget at the measured time per delete; at most double the last, so one fast slice
    /// (a warm cache) does not make the next one long.
    /// </summary>
    private static int NextSize(int deleted, TimeSpan took)
    {
        var fits = took <= TimeSpan.Zero ? MaxSliceSize : deleted * (SliceBudget / took);
        return (int)Math.Clamp(Math.Min(fits, 2.0 * deleted), MinSliceSize, MaxSliceSize);
    }

    /// <summary>The pause after a full slice that keeps expiry within <see cref="MaxShare"/> of wall time.</summary>
    private static TimeSpan Rest(TimeSpan took) => took <= TimeSpan.Zero ? TimeSpan.Zero : took * ((1 - MaxShare) / MaxShare);
}
