using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Retention;

namespace TaskScheduler.UnitTests;

/// <summary>When a finished task expires, on a fake clock.</summary>
public class RetentionPolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionPolicy Policy = new(
        Completed: TimeSpan.FromDays(7), Failed: TimeSpan.FromDays(30), Cancelled: TimeSpan.FromDays(1), CompletedPayload: TimeSpan.FromHours(1));

    [Test]
    public void FinishedTask_ExpiresOnceItsOutcomesRetentionHasPassedSinceItFinished()
    {
        var clock = new FakeTimeProvider(Start);
        var completed = Snapshot(TaskState.Completed, finishedAt: Start);
        var failed = Snapshot(TaskState.Failed, finishedAt: Start);
        var cancelled = Snapshot(TaskState.Cancelled, finishedAt: Start);

        clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var beforeAWeek = (Policy.IsExpired(completed, clock.GetUtcNow()), Policy.IsExpired(cancelled, clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromSeconds(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(beforeAWeek, Is.EqualTo((false, true)), "a second short of a week: only the cancelled task (kept a day) is due");
            Assert.That(Policy.IsExpired(completed, clock.GetUtcNow()), Is.True, "a week after it finished");
            Assert.That(Policy.IsExpired(failed, clock.GetUtcNow()), Is.False, "failed tasks are kept thirty days");
            Assert.That(Policy.IsExpired(failed, clock.GetUtcNow() + TimeSpan.FromDays(23)), Is.True);
        }
    }

    [Test]
    public void UnfinishedTask_NeverExpires()
    {
        var now = Start + TimeSpan.FromDays(10_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Policy.IsExpired(Snapshot(TaskState.Pending, finishedAt: null), now), Is.False);
            Assert.That(Policy.IsExpired(Snapshot(TaskState.Running, finishedAt: null), now), Is.False);
            Assert.That(Policy.IsPayloadExpired(Snapshot(TaskState.Running, finishedAt: null), now), Is.False);
        }
    }

    [Test]
    public void CompletedPayload_ExpiresSooner_OnlyForCompletedTasks()
    {
        var now = Start + TimeSpan.FromHours(1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Policy.IsPayloadExpired(Snapshot(TaskState.Completed, finishedAt: Start), now), Is.True);
            Assert.That(Policy.IsPayloadExpired(Snapshot(TaskState.Completed, finishedAt: Start + TimeSpan.FromMinutes(1)), now), Is.False);
            Assert.That(Policy.IsPayloadExpired(Snapshot(TaskState.Failed, finishedAt: Start), now), Is.False, "a failed task keeps its payload to be looked at");
        }
    }

    [Test]
    public void RetentionLongerThanTheCalendar_KeepsEverything_WithoutOverflow()
    {
        var forever = RetentionPolicy.All(TimeSpan.MaxValue);

        Assert.That(forever.IsExpired(Snapshot(TaskState.Completed, finishedAt: Start), Start + TimeSpan.FromDays(365)), Is.False);
    }

    private static TaskSnapshot Snapshot(TaskState state, DateTimeOffset? finishedAt) =>
        new(Guid.NewGuid(), 0, 1, state, 1, null, Start - TimeSpan.FromMinutes(5), null, null, finishedAt, null, null, "ABCDEF", 1);
}
