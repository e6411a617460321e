namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// Arithmetic on times and durations that saturates instead of throwing: values that come from workers may be
/// anything, and an overflow on the loop thread would stop the scheduler.
/// </summary>
public static class TimeMath
{
    public static TimeSpan Minus(TimeSpan a, TimeSpan b) => TimeSpan.FromTicks(Saturate((Int128)a.Ticks - b.Ticks));

    public static TimeSpan Plus(TimeSpan a, TimeSpan b) => TimeSpan.FromTicks(Saturate((Int128)a.Ticks + b.Ticks));

    public static DateTimeOffset Plus(DateTimeOffset at, TimeSpan span)
    {
        var ticks = (Int128)at.UtcTicks + span.Ticks;
        return ticks > DateTimeOffset.MaxValue.UtcTicks ? DateTimeOffset.MaxValue
            : ticks < DateTimeOffset.MinValue.UtcTicks ? DateTimeOffset.MinValue
            : at + span;
    }

    /// <summary>The duration kept within zero and <paramref name="max"/>.</summary>
    public static TimeSpan Clamp(TimeSpan value, TimeSpan max) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;

    private static long Saturate(Int128 ticks) =>
        ticks > long.MaxValue ? long.MaxValue : ticks < long.MinValue ? long.MinValue : (long)ticks;
}
