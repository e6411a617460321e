using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

public sealed class SchedulerCoreDelayTests : SchedulerCoreFixture
{
    [Test]
    public void DelayedTask_StartsNoEarlierThanItsTime_AndTheCoreWakesThen()
    {
        Join("w1", 2);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id) with { Delay = TimeSpan.FromMinutes(5) });
        var runAt = Now.AddMinutes(5);

        Assert.Multiple(() =>
        {
            Assert.That(DispatchNow(), Is.Empty);
            Assert.That(Core.NextWakeAt, Is.EqualTo(runAt));
            Assert.That(Active(id).Wait, Is.EqualTo(PendingWait.Scheduled));
            Assert.That(Core.Effects.Changed[id].RunAt, Is.EqualTo(runAt), "the start is journaled with the task");
        });

        Clock.Advance(TimeSpan.FromMinutes(5) - Tick);
        Assert.That(DispatchNow(), Is.Empty, "a tick early");
        Clock.Advance(Tick);
        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { id }));
    }

    [Test]
    public void TaskWithAPastRunAt_RunsAtOnce()
    {
        Join("w1", 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id) with { RunAt = Now.AddMinutes(-1) });

        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { id }));
    }

    [Test]
    public void DelayedTask_SaysItIsScheduled_UntilItsTime()
    {
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id) with { RunAt = Now.AddHours(1) });
        var snapshot = Core.Effects.Changed[id];

        var reason = PendingReasons.Explain(snapshot, 0, Core.View(), Now);

        Assert.That(reason, Does.StartWith("scheduled for " + Now.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(PendingReasons.Explain(snapshot, 0, Core.View(), Now.AddHours(2)), Does.Not.StartWith("scheduled"));
    }

    [Test]
    public void DelayedTask_StillWaits_AfterARestore()
    {
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id) with { Delay = TimeSpan.FromMinutes(10) });
        var journaled = Core.Effects.Changed[id];

        SetUp();
        Clock.Advance(TimeSpan.FromMinutes(1));
        Core.Restore([journaled], journaled.Sequence);
        Join("w1", 1);

        Assert.Multiple(() =>
        {
            Assert.That(DispatchNow(), Is.Empty);
            Assert.That(Core.NextWakeAt, Is.EqualTo(journaled.RunAt));
        });
        Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { id }));
    }

    [Test]
    public void CancellingADelayedTask_TakesItOffTheClock()
    {
        Join("w1", 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id) with { Delay = TimeSpan.FromSeconds(30) });

        Assert.That(Core.Cancel(id, "no longer wanted", null), Is.EqualTo(CancelOutcome.Cancelled));
        Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(DispatchNow(), Is.Empty);
            Assert.That(Core.NextWakeAt, Is.Null);
            Assert.That(Core.WaitingOnTimeCount, Is.Zero);
        });
    }

    [Test]
    public void DelayedTaskWhoseDependencyCompletesEarly_StillWaitsForItsTime()
    {
        Join("w1", 2);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        SubmitGraph(Spec(first), Spec(second, dependsOn: [first]) with { Delay = TimeSpan.FromMinutes(1) });
        var assignment = DispatchNow().Single();
        Assert.That(Core.Finish(Result(assignment)), Is.True);

        Assert.That(DispatchNow(), Is.Empty);
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { second }));
    }

    [Test]
    public void RequeuedDelayedTask_RunsAgainWithoutWaiting()
    {
        Join("w1", 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id) with { Delay = TimeSpan.FromSeconds(5) });
        Clock.Advance(TimeSpan.FromSeconds(5));
        var first = DispatchNow().Single();

        Core.WorkerLeft(new(first.WorkerId, [], Now));
        Join("w2", 1);

        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { id }));
    }
}
