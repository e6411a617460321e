using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

/// <summary>Cancelling tasks wherever they are: queued, waiting, backing off, or running on a worker.</summary>
public class SchedulerCoreCancelTests : SchedulerCoreFixture
{
    [Test]
    public void CancelledPendingTask_LeavesTheQueue_AndNeverRuns()
    {
        var doomed = Submit(priority: 5);
        var kept = Submit(priority: 1);
        Core.Effects.Clear();

        Assert.That(Core.Cancel(doomed, "changed my mind", journaled: null), Is.EqualTo(CancelOutcome.Cancelled));
        var snapshot = Core.Effects.Changed[doomed];
        Join("w1", capacity: 2);
        var run = DispatchNow();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Select(a => a.TaskId), Is.EqualTo(new[] { kept }));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(snapshot.Error, Is.EqualTo("changed my mind"));
            Assert.That(snapshot.FinishedAt, Is.Not.Null);
            Assert.That(Core.FindActive(doomed), Is.Null);
            Assert.That(Core.Counters.Cancelled, Is.EqualTo(1));
            Assert.That(HistoryOf(doomed), Is.EqualTo(new[] { TaskHistoryEvents.Cancelled }));
        }
    }

    [Test]
    public void CancelledRunningTask_IsStoppedOnItsWorker_WhoseSlotFreesOnceItStopped()
    {
        Join("w1", capacity: 1);
        var running = Submit();
        DispatchNow();
        var waiting = Submit();
        Core.Effects.Clear();

        Assert.That(Core.Cancel(running, "stop", journaled: null), Is.EqualTo(CancelOutcome.Cancelled));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Cancels, Is.EqualTo(new[] { new WorkerCancel("w1", new CancelTask(running, 1, "stop")) }));
            Assert.That(Core.Effects.Events.Single().State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(DispatchNow(), Is.Empty, "the worker may still be stopping it");
            Assert.That(Core.View().Workers.Single().InFlight, Is.EqualTo(1));
        }

        Beat("w1", capacity: 1, new RunningTask(running, 1));
        Assert.That(DispatchNow(), Is.Empty, "it still runs it");

        Beat("w1", capacity: 1);
        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { waiting }), "stopped: the slot is free");
    }

    [Test]
    public void LateResultOfACancelledAttempt_IsFencedOff_AndFreesTheSlot()
    {
        Join("w1", capacity: 1);
        var running = Submit();
        DispatchNow();
        var waiting = Submit();
        Core.Cancel(running, "stop", journaled: null);

        Assert.That(Core.Finish(Result(running, "w1", 1)), Is.False);
        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { waiting }));
    }

    [Test]
    public void CancelledTask_WaitingOnDependenciesOrARetry_IsCancelled_AndNeverQueued()
    {
        Configure(retry: new RetryOptions { InitialBackoff = TimeSpan.FromMinutes(1) });
        Join("w1", capacity: 1);
        var flaky = Guid.NewGuid();
        var blocker = Guid.NewGuid();
        var waiter = Guid.NewGuid();
        SubmitGraph(Spec(flaky, priority: 9, maxRetries: 3), Spec(blocker), Spec(waiter, dependsOn: [blocker]));
        var run = DispatchNow().Single();
        Assert.That(Core.Finish(Result(run.TaskId, "w1", 1, TaskOutcome.Failed, "flaky")), Is.True);

        Assert.That(Core.Cancel(flaky, "give up", journaled: null), Is.EqualTo(CancelOutcome.Cancelled));
        Assert.That(Core.Cancel(waiter, "not needed", journaled: null), Is.EqualTo(CancelOutcome.Cancelled));

        Clock.Advance(TimeSpan.FromHours(1));
        var next = DispatchNow();
        Assert.That(Core.Finish(Result(next.Single())), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(next.Single().TaskId, Is.EqualTo(blocker));
            Assert.That(DispatchNow(), Is.Empty, "neither the retry nor the released dependent runs");
            Assert.That(Core.ActiveCount, Is.Zero);
            Assert.That(Core.WaitingOnTimeCount, Is.Zero);
            Assert.That(Core.WaitingOnDependenciesCount, Is.Zero);
        }
    }

    [Test]
    public void Cancel_SaysWhatBecameOfAnUnknownFinishedOrCancelledTask()
    {
        var completed = Guid.NewGuid();
        var cancelled = Guid.NewGuid();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Cancel(Guid.NewGuid(), "x", journaled: null), Is.EqualTo(CancelOutcome.NotFound));
            Assert.That(Core.Cancel(completed, "x", Snapshot(completed, 0, 1, TaskState.Completed)), Is.EqualTo(CancelOutcome.AlreadyFinished));
            Assert.That(Core.Cancel(cancelled, "x", Snapshot(cancelled, 0, 2, TaskState.Cancelled)), Is.EqualTo(CancelOutcome.AlreadyCancelled));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void RestartedWorker_NoLongerHoldsTheSlotsOfCancelledAttempts()
    {
        Join("w1", capacity: 1);
        var running = Submit();
        DispatchNow();
        var waiting = Submit();
        Core.Cancel(running, "stop", journaled: null);

        Join("w1", capacity: 1);

        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { waiting }));
    }
}
