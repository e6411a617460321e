using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// The scheduler's clock at the journal's precision: LiteDB keeps a time to the millisecond, so every time the
/// scheduler takes (acceptance, a delayed start, an assignment, a history step) is taken to the millisecond too. A task
/// then reads the same from the turn's record, the materializer's carry and its document, before a restart and after
/// it: a delayed start shown as 12:00:10.000 is never met by an assignment at 12:00:09.9996 once the journal rounded
/// it. Only the wall clock is cut; timestamps and timers are the system's.
/// </summary>
public sealed class JournalClock(TimeProvider inner) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => TimeMath.FloorToMillisecond(inner.GetUtcNow());

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
