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

    /// <summary>The time cut to the whole millisecond before it, in UTC: the precision the journal keeps.</summary>
    public static DateTimeOffset FloorToMillisecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>
    /// The time raised to the next whole millisecond unless it is one, in UTC: a start asked for at a finer time is
    /// kept by the journal to the millisecond, and never moved earlier.
    /// </summary>
    public static DateTimeOffset CeilingToMillisecond(DateTimeOffset time) =>
        time.UtcTicks % TimeSpan.TicksPerMillisecond == 0 || time.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerMillisecond
            ? time.ToUniversalTime()
            : FloorToMillisecond(time).AddMilliseconds(1);

    private static long Saturate(Int128 ticks) =>
        ticks > long.MaxValue ? long.MaxValue : ticks < long.MinValue ? long.MinValue : (long)ticks;
}
