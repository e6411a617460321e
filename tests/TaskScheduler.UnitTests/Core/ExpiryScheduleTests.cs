using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Retention;

namespace TaskScheduler.UnitTests;

/// <summary>
/// How the loop paces expiry: slices sized to a budget of time by what the last one measured, at most a share of
/// wall time while a backlog lasts, then once an interval.
/// </summary>
public class ExpiryScheduleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public void FirstSlice_IsDueAtOnce_AtTheFirstSize()
    {
        var schedule = new ExpirySchedule();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.IsDue(_clock.GetUtcNow()), Is.True);
            Assert.That(schedule.SliceSize, Is.EqualTo(ExpirySchedule.FirstSliceSize));
        }
    }

    [Test]
    public void FullSlice_RestsHalfAsLongAsItTook_AShortOneWaitsAnInterval()
    {
        var schedule = new ExpirySchedule();
        var took = TimeSpan.FromMilliseconds(20);
        var rest = TimeSpan.FromMilliseconds(10);

        schedule.SliceDone(schedule.SliceSize, took, _clock.GetUtcNow());
        var atOnce = schedule.IsDue(_clock.GetUtcNow());
        _clock.Advance(rest - TimeSpan.FromTicks(1));
        var justBeforeRest = schedule.IsDue(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromTicks(1));
        var afterRest = schedule.IsDue(_clock.GetUtcNow());

        schedule.SliceDone(schedule.SliceSize - 1, took, _clock.GetUtcNow());
        var afterShort = schedule.IsDue(_clock.GetUtcNow());
        _clock.Advance(ExpirySchedule.Interval - TimeSpan.FromTicks(1));
        var justBeforeInterval = schedule.IsDue(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromTicks(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(atOnce, Is.False, "a full slice is followed by a rest, not by another slice in the next turn");
            Assert.That(justBeforeRest, Is.False);
            Assert.That(afterRest, Is.True, "at a share of two thirds, the rest lasts half as long as the slice");
            Assert.That(afterShort, Is.False, "nothing more was due");
            Assert.That(justBeforeInterval, Is.False);
            Assert.That(schedule.IsDue(_clock.GetUtcNow()), Is.True, "an interval later");
        }
    }

    [Test]
    public void SliceSize_FollowsTheMeasuredTimePerDelete_TowardsTheBudget()
    {
        var schedule = new ExpirySchedule();

        // 100 deletes in 100 ms: 1 ms each, so 25 fit the 25 ms budget.
        schedule.SliceDone(100, TimeSpan.FromMilliseconds(100), _clock.GetUtcNow());
        var afterSlow = schedule.SliceSize;
        // 25 deletes in 2.5 ms: 0.1 ms each, so 250 would fit, but a slice at most doubles.
        schedule.SliceDone(25, TimeSpan.FromMilliseconds(2.5), _clock.GetUtcNow());
        var afterFast = schedule.SliceSize;
        // 50 deletes in 5 ms: 0.1 ms each again, and 100 still fits the budget.
        schedule.SliceDone(50, TimeSpan.FromMilliseconds(5), _clock.GetUtcNow());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterSlow, Is.EqualTo(25));
            Assert.That(afterFast, Is.EqualTo(50));
            Assert.That(schedule.SliceSize, Is.EqualTo(100));
        }
    }

    [Test]
    public void SliceSize_StaysWithinItsBounds_HoweverSlowOrFastTheJournal()
    {
        var schedule = new ExpirySchedule();

        schedule.SliceDone(50, TimeSpan.FromSeconds(5), _clock.GetUtcNow());
        var afterStall = schedule.SliceSize;
        for (var i = 0; i < 20; i++)
        {
            schedule.SliceDone(schedule.SliceSize, TimeSpan.Zero, _clock.GetUtcNow());
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterStall, Is.EqualTo(ExpirySchedule.MinSliceSize), "a stalled disk still makes progress");
            Assert.That(schedule.SliceSize, Is.EqualTo(ExpirySchedule.MaxSliceSize), "a transaction stays bounded");
        }
    }

    [Test]
    public void ABacklog_TakesAtMostTheMaxShareOfWallTime_WhenSlicesAreTakenAsSoonAsDue()
    {
        var schedule = new ExpirySchedule();
        var start = _clock.GetUtcNow();
        var busy = TimeSpan.Zero;
        var slices = 0;

        // A loop that turns every millisecond and takes each slice as soon as it is due; every delete costs 0.3 ms.
        while (_clock.GetUtcNow() - start < TimeSpan.FromSeconds(10))
        {
            if (schedule.IsDue(_clock.GetUtcNow()))
            {
                var took = TimeSpan.FromMilliseconds(0.3 * schedule.SliceSize);
                _clock.Advance(took);
                busy += took;
                slices++;
                Assert.That(took, Is.LessThanOrEqualTo(ExpirySchedule.SliceBudget * 2), $"slice {slices} exceeded its budget");
                schedule.SliceDone(schedule.SliceSize, took, _clock.GetUtcNow());
            }
            else
            {
                _clock.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        var share = busy / (_clock.GetUtcNow() - start);
        Assert.That(share, Is.InRange(ExpirySchedule.MaxShare * 0.8, ExpirySchedule.MaxShare), "expiry keeps going, within its share");
    }

    [Test]
    public void TasksFinishedSinceTheLastSlice_MayAllGoInTheNext_WhateverTheBudget()
    {
        var schedule = new ExpirySchedule();
        schedule.SliceDone(100, TimeSpan.FromMilliseconds(100), _clock.GetUtcNow());
        var byBudget = schedule.SliceSize;

        schedule.Finished(40);
        schedule.Finished(30);
        var afterFinishes = schedule.SliceSize;
        schedule.SliceDone(70, TimeSpan.FromMilliseconds(70), _clock.GetUtcNow());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(byBudget, Is.EqualTo(25));
            Assert.That(afterFinishes, Is.EqualTo(70), "as many as finished meanwhile");
            Assert.That(schedule.SliceSize, Is.EqualTo(25), "the slice took them: back to the budget");
        }
    }

    [Test]
    public void ASteadyLoad_IsKeptPaceWith_EvenWhenEachSliceCostsMoreThanItsBudget()
    {
        // A starved machine: every slice costs 30 ms of its own plus 1 ms a delete, so the budget buys the smallest
        // slice (20 deletes in 50 ms, then a rest of 25 ms: 266 a second), while the loop finishes 300 tasks a second.
        var schedule = new ExpirySchedule();
        var start = _clock.GetUtcNow();
        var due = 0;
        var finishedEver = 0;
        while (_clock.GetUtcNow() - start < TimeSpan.FromSeconds(60))
        {
            var finishedBy = (int)((_clock.GetUtcNow() - start).TotalMilliseconds * 0.3);
            schedule.Finished(finishedBy - finishedEver);
            due += finishedBy - finishedEver;
            finishedEver = finishedBy;
            if (schedule.IsDue(_clock.GetUtcNow()))
            {
                var deleted = Math.Min(due, schedule.SliceSize);
                var took = TimeSpan.FromMilliseconds(30 + deleted);
                _clock.Advance(took);
                due -= deleted;
                schedule.SliceDone(deleted, took, _clock.GetUtcNow());
            }
            else
            {
                _clock.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        Assert.That(due, Is.LessThan(300), $"of {finishedEver} tasks finished, {due} wait to be deleted: less than a second's worth");
    }
}
