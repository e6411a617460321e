namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// When the loop next deletes expired tasks. Expiry goes in slices of at most <see cref="SliceSize"/> tasks, one per
/// turn of the loop, so a large expiry (a retention shortened, a burst that ends its retention at once) is spread
/// between groups instead of holding up dispatch; while a slice comes back full the next one is due at once, and
/// once one comes back short (nothing more is due), the journal is looked at again after <see cref="Interval"/>.
/// </summary>
public sealed class ExpirySchedule
{
    /// <summary>Deletes per slice: a few milliseconds of journal work, small beside a group's commit.</summary>
    public const int SliceSize = 200;

    /// <summary>How often the journal is asked whether something expired, when the last slice found it all done.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>When the next slice is due; the first is due at once.</summary>
    public DateTimeOffset NextAt { get; private set; } = DateTimeOffset.MinValue;

    public bool IsDue(DateTimeOffset now) => now >= NextAt;

    /// <summary>A slice deleted <paramref name="deleted"/> tasks at <paramref name="now"/>.</summary>
    public void SliceDone(int deleted, DateTimeOffset now) => NextAt = deleted >= SliceSize ? now : TimeMath.Plus(now, Interval);
}
