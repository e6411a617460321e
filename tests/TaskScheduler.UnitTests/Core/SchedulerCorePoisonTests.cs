using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;

namespace TaskScheduler.UnitTests;

/// <summary>A task whose workers keep dying fails as poison after Scheduler:MaxRequeues requeues, not go round for ever.</summary>
public class SchedulerCorePoisonTests : SchedulerCoreFixture
{
    [Test]
    public void TaskRunningOnEveryWorkerThatDies_FailsAsPoison_AfterMaxRequeuesRequeues()
    {
        var id = Submit();
        var workers = 0;
        for (var death = 1; death <= 5; death++)
        {
            KillTheWorkerRunning(id, ref workers);
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending), $"requeued after death {death}");
        }

        Assert.That(Active(id).Note, Does.Contain("requeue 5 of at most 5"));
        Core.Effects.Clear();
        KillTheWorkerRunning(id, ref workers);

        var snapshot = Core.Effects.Changed[id];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.FindActive(id), Is.Null);
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error, Is.EqualTo("poison: killed 6 workers"));
            Assert.That(snapshot.Attempts, Is.EqualTo(6));
            Assert.That(snapshot.WorkerDeaths, Is.EqualTo(6));
            Assert.That(snapshot.History.Select(h => h.Event).TakeLast(2), Is.EqualTo(new[] { TaskHistoryEvents.WorkerDead, TaskHistoryEvents.Failed }));
            Assert.That(Core.Counters.Poisoned, Is.EqualTo(1));
            Assert.That(Core.Effects.Events.Select(e => e.State), Does.Contain(TaskState.Failed));
        }
    }

    [Test]
    public void WorkerRestartedUnderTheSameId_CountsAsADeath()
    {
        Use(new SchedulerCore(Liveness, Clock) { MaxRequeues = 1 });
        var id = Submit();
        Join("w1", capacity: 1);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Join("w1", capacity: 1);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Join("w1", capacity: 1);

        Assert.That(Core.Effects.Changed[id].Error, Is.EqualTo("poison: killed 2 workers"));
    }

    [Test]
    public void GracefulHandBacksAndPreemptions_DoNotCount()
    {
        Configure(new PreemptionOptions { MinRunTime = TimeSpan.Zero, MaxPerTask = 100, FinishingWithin = TimeSpan.Zero });
        var id = Submit();
        for (var i = 0; i < 10; i++)
        {
            Join($"leaver{i}", capacity: 1);
            DispatchNow();
            Core.WorkerLeft(new WorkerLeft($"leaver{i}", [new RunningTask(id, Active(id).Attempt)], Now));
        }

        Join("w1", capacity: 1);
        for (var i = 0; i < 10; i++)
        {
            DispatchNow();
            Assert.That(Core.Preempted(new TaskPreempted("w1", id, Active(id).Attempt, $"step {i}", Now)), Is.True);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).WorkerDeaths, Is.Zero);
            Assert.That(Core.Counters.Poisoned, Is.Zero);
        }
    }

    [Test]
    public void DeathsCountedBeforeARestart_StillCount()
    {
        var id = Guid.NewGuid();
        Core.Restore([Snapshot(id, priority: 0, sequence: 1, TaskState.Running, attempts: 5, workerId: "w9", assignedAt: Now) with { WorkerDeaths = 5 }], 1);

        // w9 never reports back after the restart: it is declared dead, the sixth death.
        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Core.CheckLiveness();

        Assert.That(Core.Effects.Changed[id].Error, Is.EqualTo("poison: killed 6 workers"));
    }

    [Test]
    public void PoisonTask_FailsWhatDependsOnIt()
    {
        Use(new SchedulerCore(Liveness, Clock) { MaxRequeues = 0 });
        var root = Guid.NewGuid();
        var child = Guid.NewGuid();
        SubmitGraph(Spec(root), Spec(child, dependsOn: [root]));
        var workers = 0;

        KillTheWorkerRunning(root, ref workers);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Changed[root].Error, Is.EqualTo("poison: killed 1 worker"));
            Assert.That(Core.Effects.Changed[child].State, Is.EqualTo(TaskState.Failed));
            Assert.That(Core.Effects.Changed[child].Error, Does.Contain(root.ToString()));
        }
    }

    /// <summary>A fresh worker takes the task and falls silent until it is declared dead.</summary>
    private void KillTheWorkerRunning(Guid id, ref int workers)
    {
        var worker = $"w{++workers}";
        Join(worker, capacity: 1);
        DispatchNow();
        Assert.That(Active(id).WorkerId, Is.EqualTo(worker));
        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Core.CheckLiveness();
    }
}
