using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

/// <summary>Retries of failed runs, with exponential backoff, and how they differ from requeues after a worker's death.</summary>
public class SchedulerCoreRetryTests : SchedulerCoreFixture
{
    private static readonly RetryOptions Retry = new() { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(5) };

    [SetUp]
    public void UseRetryOptions() => Configure(retry: Retry);

    [Test]
    public void FailedRun_IsRetriedAfterABackoffThatDoubles_UntilTheRetriesAreUsedUp()
    {
        Join("w1", capacity: 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id, maxRetries: 3));
        var waits = new List<TimeSpan>();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var run = DispatchNow().Single();
            Assert.That(run.Attempt, Is.EqualTo(attempt));
            Core.Effects.Clear();
            Assert.That(Core.Finish(Result(id, "w1", attempt, TaskOutcome.Failed, $"boom {attempt}")), Is.True);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
                Assert.That(Active(id).Wait, Is.EqualTo(PendingWait.RetryBackoff));
                Assert.That(Active(id).Error, Is.EqualTo($"boom {attempt}"));
                Assert.That(Core.Effects.Events.Single().State, Is.EqualTo(TaskState.Pending), "a retry is not a failure");
                Assert.That(HistoryOf(id), Is.EqualTo(new[] { TaskHistoryEvents.Started, TaskHistoryEvents.RetryScheduled }));
            }

            var due = Active(id).RetryAt!.Value;
            waits.Add(due - Now);
            Assert.That(Core.NextWakeAt, Is.EqualTo(due), "the loop is told when to come back");
            Clock.Advance(due - Now - Tick);
            Assert.That(DispatchNow(), Is.Empty, "not before the backoff is over");
            Clock.Advance(Tick);
        }

        var last = DispatchNow().Single();
        Core.Effects.Clear();
        Assert.That(Core.Finish(Result(id, "w1", last.Attempt, TaskOutcome.Failed, "boom 4")), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(waits, Is.EqualTo(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5) }), "doubling, capped");
            Assert.That(last.Attempt, Is.EqualTo(4));
            Assert.That(Core.Effects.Events.Single().State, Is.EqualTo(TaskState.Failed));
            Assert.That(Core.Effects.Changed[id].Retries, Is.EqualTo(3));
            Assert.That(Core.Counters.RetriesScheduled, Is.EqualTo(3));
            Assert.That(Core.Counters.Failed, Is.EqualTo(1));
        }
    }

    [Test]
    public void RetryThatSucceeds_Completes_AndReleasesDependents()
    {
        Join("w1", capacity: 1);
        var flaky = Guid.NewGuid();
        var after = Guid.NewGuid();
        SubmitGraph(Spec(flaky, maxRetries: 1), Spec(after, dependsOn: [flaky]));
        DispatchNow();
        Assert.That(Core.Finish(Result(flaky, "w1", 1, TaskOutcome.Failed, "transient")), Is.True);
        Assert.That(Core.FindActive(after)!.IsWaitingOnDependencies, Is.True, "a retry does not fail the dependents");

        Clock.Advance(TimeSpan.FromSeconds(2));
        DispatchNow();
        Assert.That(Core.Finish(Result(flaky, "w1", 2)), Is.True);

        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { after }));
    }

    [Test]
    public void WorkerDeath_RequeuesWithoutSpendingARetry()
    {
        Join("w1", capacity: 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id, maxRetries: 1));
        DispatchNow();

        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Retries, Is.Zero);
            Assert.That(Active(id).Wait, Is.EqualTo(PendingWait.Queued), "back in the queue at once, no backoff");
            Assert.That(Core.PendingCount, Is.EqualTo(1));
        }
    }

    [Test]
    public void TaskWithoutRetries_FailsAtTheFirstFailedRun()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();

        Assert.That(Core.Finish(Result(id, "w1", 1, TaskOutcome.Failed, "no")), Is.True);

        Assert.That(Core.FindActive(id), Is.Null);
    }

    [Test]
    public void Restore_KeepsARetryWaitingUntilItIsDue()
    {
        Join("w1", capacity: 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id, maxRetries: 2));
        DispatchNow();
        Core.Finish(Result(id, "w1", 1, TaskOutcome.Failed, "boom"));
        var journal = Core.Effects.Changed.Values.ToList();
        var due = Active(id).RetryAt!.Value;

        SetUp();
        Configure(retry: Retry);
        Core.Restore(journal, lastSequence: 1);
        Join("w1", capacity: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.WaitingOnTimeCount, Is.EqualTo(1));
            Assert.That(DispatchNow(), Is.Empty);
        }

        Clock.Advance(due - Now);
        Assert.That(DispatchNow().Single().Attempt, Is.EqualTo(2));
    }

    [Test]
    public void Backoff_DoublesFromTheInitialWait_AndStopsAtTheMaximum()
    {
        var options = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };

        Assert.That(Enumerable.Range(1, 6).Select(options.Backoff), Is.EqualTo(new[]
        {
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400),
            TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1),
        }));
        Assert.That(options.Backoff(1000), Is.EqualTo(TimeSpan.FromSeconds(1)), "no overflow for absurd retry counts");
    }
}
