using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

/// <summary>A pending task that outranks running ones takes a slot from the least important of them, within guards.</summary>
public class SchedulerCorePreemptionTests : SchedulerCoreFixture
{
    private static readonly PreemptionOptions Options = new()
    {
        PriorityMargin = 2,
        MinRunTime = TimeSpan.FromSeconds(10),
        MaxPerTask = 2,
        FinishingWithin = TimeSpan.FromSeconds(3),
    };

    [SetUp]
    public void UsePreemptionOptions() => Configure(Options);

    [Test]
    public void UrgentTask_PreemptsTheLowestPriorityTask_MostRecentlyStartedAmongEquals()
    {
        Join("w1", capacity: 2);
        Join("w2", capacity: 1);
        var older = Submit(priority: 1);
        var mid = Submit(priority: 3);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var newer = Submit(priority: 1);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(20));
        Core.Effects.Clear();

        var urgent = Submit(priority: 5);
        Core.Dispatch();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Assignments, Is.Empty, "no slot is free until the victim has paused");
            Assert.That(Core.Effects.Preempts.Select(p => p.Order.TaskId), Is.EqualTo(new[] { newer }));
            Assert.That(Core.Effects.Preempts[0].WorkerId, Is.EqualTo(Active(newer).WorkerId));
            Assert.That(Core.Effects.Preempts[0].Order.Attempt, Is.EqualTo(1));
            Assert.That(Core.Effects.Preempts[0].Order.Reason, Does.Contain(urgent.ToString()));
            Assert.That(Active(older).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(mid).State, Is.EqualTo(TaskState.Running));
        }
    }

    [Test]
    public void PausedTask_GoesBackToTheQueueWithItsProgress_AndResumesFromItAsANewAttempt()
    {
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(30));
        var urgent = Submit(priority: 9);
        Core.Dispatch();
        Core.Effects.Clear();

        Assert.That(Core.Preempted(new TaskPreempted("w1", low, 1, "step 29.5", Now)), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(low).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(low).Wait, Is.EqualTo(PendingWait.Preempted));
            Assert.That(Active(low).Checkpoint, Is.EqualTo("step 29.5"));
            Assert.That(Active(low).Preemptions, Is.EqualTo(1));
            Assert.That(Active(low).Note, Does.Contain("preempted on worker w1").And.Contain(urgent.ToString()));
            Assert.That(Core.Effects.Events.Single(e => e.TaskId == low).State, Is.EqualTo(TaskState.Pending));
            Assert.That(HistoryOf(low), Is.EqualTo(new[] { TaskHistoryEvents.Preempted }));
            Assert.That(Core.Counters.Preempted, Is.EqualTo(1));
        }

        var next = DispatchNow();
        Assert.That(next.Select(a => a.TaskId), Is.EqualTo(new[] { urgent }), "the freed slot goes to the urgent task");
        Assert.That(Core.Finish(Result(next[0])), Is.True);
        Core.Effects.Clear();

        var resumed = DispatchNow().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(resumed.TaskId, Is.EqualTo(low));
            Assert.That(resumed.Attempt, Is.EqualTo(2), "fencing: the resumed run is a new attempt");
            Assert.That(resumed.Checkpoint, Is.EqualTo("step 29.5"));
            Assert.That(HistoryOf(low), Is.EqualTo(new[] { TaskHistoryEvents.Resumed }));
            Assert.That(Core.Finish(Result(low, "w1", 1)), Is.False, "a late result of the paused attempt is fenced off");
        }
    }

    [Test]
    public void NoPreemption_WhenThePriorityGapIsBelowTheMargin()
    {
        Join("w1", capacity: 1);
        Submit(priority: 3);
        DispatchNow();
        Clock.Advance(TimeSpan.FromMinutes(1));

        Submit(priority: 4);
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Is.Empty);

        Submit(priority: 5);
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Has.Count.EqualTo(1), "a gap of the margin is enough");
    }

    [Test]
    public void NoPreemption_OfATaskThatHasNotRunTheMinimumTime_SinceItsWorkerSaidItStarted()
    {
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(2));
        Beat("w1", capacity: 1, new RunningTask(low, 1));
        Clock.Advance(TimeSpan.FromSeconds(9));

        Submit(priority: 9);
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Is.Empty, "assigned 11 s ago, but running for 9 s only");

        Clock.Advance(TimeSpan.FromSeconds(1));
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void NoPreemption_OfATaskItsWorkerExpectsToFinishSoon()
    {
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1, new RunningTask(low, 1) { Remaining = TimeSpan.FromSeconds(21) });
        Clock.Advance(TimeSpan.FromSeconds(19));

        Submit(priority: 9);
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Is.Empty, "two seconds left by the estimate, within FinishingWithin");

        Beat("w1", capacity: 1, new RunningTask(low, 1) { Remaining = TimeSpan.FromMinutes(5) });
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Has.Count.EqualTo(1), "a revised estimate makes it preemptable again");
    }

    [Test]
    public void NoPreemption_OfATaskPreemptedTheMaximumNumberOfTimes()
    {
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        for (var round = 1; round <= Options.MaxPerTask; round++)
        {
            DispatchNow();
            Clock.Advance(TimeSpan.FromSeconds(30));
            var urgent = Submit(priority: 9);
            Core.Effects.Clear();
            Core.Dispatch();
            Assert.That(Core.Effects.Preempts.Single().Order.TaskId, Is.EqualTo(low), $"round {round}");
            Assert.That(Core.Preempted(new TaskPreempted("w1", low, Active(low).Attempt, $"step {round}", Now)), Is.True);
            var run = DispatchNow().Single();
            Assert.That(run.TaskId, Is.EqualTo(urgent));
            Assert.That(Core.Finish(Result(run)), Is.True);
        }

        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(30));
        Submit(priority: 9);
        Core.Effects.Clear();
        Core.Dispatch();

        Assert.That(Core.Effects.Preempts, Is.Empty);
        Assert.That(Active(low).Preemptions, Is.EqualTo(Options.MaxPerTask));
    }

    [Test]
    public void NoPreemption_WhenSwitchedOff()
    {
        Configure(PreemptionOptions.Disabled);
        Join("w1", capacity: 1);
        Submit(priority: 0);
        DispatchNow();
        Clock.Advance(TimeSpan.FromHours(1));

        Submit(priority: 100);
        Core.Dispatch();

        Assert.That(Core.Effects.Preempts, Is.Empty);
    }

    [Test]
    public void OneOrderPerUrgentTask_WhileEarlierOrdersAreOutstanding()
    {
        Join("w1", capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            Submit(priority: 0);
        }

        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(30));
        Submit(priority: 9);
        Submit(priority: 9);
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Has.Count.EqualTo(2), "two urgent tasks, two victims");

        Core.Effects.Clear();
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Is.Empty, "the slots being freed are spoken for");

        Submit(priority: 9);
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Has.Count.EqualTo(1), "a third urgent task gets the third victim");
    }

    [Test]
    public void UnansweredPreemptOrder_IsForgottenAfterTheGrace_AndGivenAgain()
    {
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1, new RunningTask(low, 1));
        Clock.Advance(TimeSpan.FromSeconds(30));
        Submit(priority: 9);
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Has.Count.EqualTo(1));
        Core.Effects.Clear();

        Clock.Advance(Liveness.ReconcileGrace);
        Beat("w1", capacity: 1, new RunningTask(low, 1));
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts, Is.Empty, "still within the grace");

        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1, new RunningTask(low, 1));
        Core.Dispatch();
        Assert.That(Core.Effects.Preempts.Select(p => p.Order.TaskId), Is.EqualTo(new[] { low }));
    }

    [Test]
    public void VictimThatFinishesBeforePausing_Completes_AndTheUrgentTaskTakesItsSlot()
    {
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(30));
        var urgent = Submit(priority: 9);
        Core.Dispatch();

        Assert.That(Core.Finish(Result(low, "w1", 1)), Is.True);
        var next = DispatchNow();
        Assert.That(Core.Preempted(new TaskPreempted("w1", low, 1, "step 30", Now)), Is.False, "too late: it completed");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(next.Select(a => a.TaskId), Is.EqualTo(new[] { urgent }));
            Assert.That(Core.FindActive(low), Is.Null);
            Assert.That(Core.Counters.Completed, Is.EqualTo(1));
        }
    }

    [Test]
    public void PreemptedTask_KeepsItsProgress_WhenTheWorkerItResumedOnDies()
    {
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(30));
        var urgent = Submit(priority: 9);
        Core.Dispatch();
        Assert.That(Core.Preempted(new TaskPreempted("w1", low, 1, "step 12", Now)), Is.True);
        DispatchNow();

        Join("w2", capacity: 1);
        var resumed = DispatchNow().Single();
        Assert.That((resumed.TaskId, resumed.WorkerId, resumed.Checkpoint), Is.EqualTo((low, "w2", "step 12")));
        Core.Effects.Clear();

        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1, new RunningTask(urgent, 1));
        Core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(low).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(low).Checkpoint, Is.EqualTo("step 12"), "the checkpoint outlives the worker");
            Assert.That(HistoryOf(low), Is.EqualTo(new[] { TaskHistoryEvents.WorkerDead, TaskHistoryEvents.Requeued }));
        }
    }

    [Test]
    public void NoPreemption_OnADrainingWorker()
    {
        Join("w1", capacity: 1);
        Submit(priority: 0);
        DispatchNow();
        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: true, Now));
        Clock.Advance(TimeSpan.FromMinutes(1));

        Submit(priority: 9);
        Core.Dispatch();

        Assert.That(Core.Effects.Preempts, Is.Empty, "a draining worker would not reuse the slot");
    }
}
