using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

/// <summary>How the loop paces expiry: at once while there is a backlog, then once an interval.</summary>
public class ExpiryScheduleTests
{
    [Test]
    public void FirstSlice_IsDueAtOnce()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        Assert.That(new ExpirySchedule().IsDue(clock.GetUtcNow()), Is.True);
    }

    [Test]
    public void FullSlice_MakesTheNextDueAtOnce_AShortOneWaitsAnInterval()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var schedule = new ExpirySchedule();

        schedule.SliceDone(ExpirySchedule.SliceSize, clock.GetUtcNow());
        var afterFull = schedule.IsDue(clock.GetUtcNow());
        schedule.SliceDone(ExpirySchedule.SliceSize - 1, clock.GetUtcNow());
        var afterShort = schedule.IsDue(clock.GetUtcNow());
        clock.Advance(ExpirySchedule.Interval - TimeSpan.FromMilliseconds(1));
        var justBefore = schedule.IsDue(clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMilliseconds(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterFull, Is.True, "more may be due: the next turn of the loop takes another slice");
            Assert.That(afterShort, Is.False, "nothing more was due");
            Assert.That(justBefore, Is.False);
            Assert.That(schedule.IsDue(clock.GetUtcNow()), Is.True, "an interval later");
        }
    }
}
