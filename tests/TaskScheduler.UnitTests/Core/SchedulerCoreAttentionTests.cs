using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests;

/// <summary>Liveness measures the workers, not the scheduler: its own pauses and backlogs are not their silence.</summary>
public class SchedulerCoreAttentionTests : SchedulerCoreFixture
{
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(8);

    [Test]
    public void CheckLiveness_DeclaresNoWorkerDead_AfterTheSchedulerWasFrozenLongerThanTheWindow()
    {
        var (a, b) = TwoBusyWorkers();

        // The scheduler stops for 8 s (kill -STOP, a long GC, a VM pause) while both workers heartbeat on. It wakes
        // before it has read any of their heartbeats.
        Clock.Advance(Freeze);
        Core.Attend(drained: true);
        Core.CheckLiveness();
        var rightAfter = Core.Workers.Keys.ToList();

        // Then it reads what they sent meanwhile and carries on.
        for (var i = 0; i < 8; i++)
        {
            Clock.Advance(Liveness.AttentionInterval);
            Beat("w1", 1, new RunningTask(a, 1));
            Beat("w2", 1, new RunningTask(b, 1));
            Core.Attend(drained: true);
            Core.CheckLiveness();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rightAfter, Is.EquivalentTo(new[] { "w1", "w2" }), "no worker declared dead on waking");
            Assert.That(Core.Workers.Keys, Is.EquivalentTo(new[] { "w1", "w2" }));
            Assert.That(Core.Counters.WorkersDeclaredDead, Is.Zero);
            Assert.That(Core.Counters.Requeued, Is.Zero);
            Assert.That((Active(a).Attempt, Active(a).WorkerId), Is.EqualTo((1, "w1")));
            Assert.That((Active(b).Attempt, Active(b).WorkerId), Is.EqualTo((1, "w2")));
        }
    }

    [Test]
    public void CheckLiveness_StillFindsAWorkerThatDied_WithinTheWindowOnceTheSchedulerIsBack()
    {
        var (a, b) = TwoBusyWorkers();

        // w1 dies just as the scheduler freezes; w2 lives on.
        Clock.Advance(Freeze);
        Core.Attend(drained: true);
        var back = Now;
        while (Core.Workers.ContainsKey("w1") && Now - back <= Liveness.Window + Liveness.HeartbeatInterval)
        {
            Clock.Advance(Liveness.AttentionInterval);
            Beat("w2", 1, new RunningTask(b, 1));
            Core.Attend(drained: true);
            Core.CheckLiveness();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers.Keys, Is.EquivalentTo(new[] { "w2" }));
            Assert.That(Now - back, Is.LessThanOrEqualTo(Liveness.Window + Liveness.AttentionInterval), "found within a window of the scheduler's return");
            Assert.That(Active(a).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(b).WorkerId, Is.EqualTo("w2"));
        }
    }

    [Test]
    public void CheckLiveness_CountsSilence_WhileTheSchedulerAttendsRegularly()
    {
        TwoBusyWorkers();

        // Both fall silent while the scheduler takes its inputs at its usual pace: that silence is theirs.
        while (Core.Workers.Count > 0 && Core.Counters.WorkersDeclaredDead < 2)
        {
            Clock.Advance(Liveness.AttentionInterval);
            Core.Attend(drained: true);
            Core.CheckLiveness();
        }

        Assert.That(Core.Workers, Is.Empty);
    }

    [Test]
    public void CheckLiveness_WaitsForTheSchedulerToCatchUpOnWaitingInput_ForOneWindowAtMost()
    {
        TwoBusyWorkers();
        var silentFrom = Now;

        // w1 and w2 fall silent, and the scheduler is behind: every taking leaves input waiting, which may hold
        // their heartbeats. It does not judge them until it has caught up...
        var backlogFrom = Now + Liveness.AttentionInterval;
        while (Now + Liveness.AttentionInterval - backlogFrom <= Liveness.Window)
        {
            Clock.Advance(Liveness.AttentionInterval);
            Core.Attend(drained: false);
            Core.CheckLiveness();
        }

        var whileBehind = Core.Workers.Count;

        // ...nor longer than a window, so a backlog that never ends cannot hide a dead worker.
        Clock.Advance(Liveness.AttentionInterval);
        Core.Attend(drained: false);
        Core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Now - silentFrom, Is.GreaterThan(Liveness.Window));
            Assert.That(whileBehind, Is.EqualTo(2));
            Assert.That(Core.Workers, Is.Empty);
        }
    }

    [Test]
    public void Heartbeat_SentBeforeAnAssignment_DoesNotRequeueIt_WhenRedeliveredAfterARestart()
    {
        // Before a restart the scheduler assigned the task to w1 at `assigned`; a heartbeat w1 sent a moment earlier
        // was still unacknowledged. The restarted scheduler gets it redelivered well past the reconcile grace.
        var assigned = Now;
        var id = Guid.NewGuid();
        Core.Restore([Snapshot(id, priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: assigned)], lastSequence: 1);
        Clock.Advance(Liveness.ReconcileGrace + TimeSpan.FromMinutes(1));

        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, assigned - TimeSpan.FromMilliseconds(300)));
        var afterStale = (Active(id).State, Active(id).Attempt, Core.Counters.Requeued);

        // A heartbeat w1 sends now, running the attempt, keeps it; one that leaves it out still requeues it.
        Beat("w1", 1, new RunningTask(id, 1));
        var afterFresh = Active(id).State;
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterStale, Is.EqualTo((TaskState.Running, 1, 0L)));
            Assert.That(afterFresh, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending), "a heartbeat sent long after the assignment still proves it lost");
            Assert.That(Core.Counters.Requeued, Is.EqualTo(1));
        }
    }

    [Test]
    public void Heartbeat_OlderThanOneAlreadyApplied_DoesNotRequeue()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Clock.Advance(Liveness.ReconcileGrace + TimeSpan.FromSeconds(10));
        Beat("w1", 1, new RunningTask(id, 1));

        // The broker redelivers an older heartbeat, sent before the worker had the assignment in hand: the newer one
        // already said it runs the attempt.
        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, Now - TimeSpan.FromSeconds(2)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).Attempt, Is.EqualTo(1));
            Assert.That(Core.Counters.Requeued, Is.Zero);
        }
    }

    /// <summary>Two workers of one slot each, each running a task and heard from a moment ago.</summary>
    private (Guid A, Guid B) TwoBusyWorkers()
    {
        Join("w1", capacity: 1);
        Join("w2", capacity: 1);
        var a = Submit();
        var b = Submit();
        Core.Dispatch();
        var onW1 = Active(a).WorkerId == "w1" ? a : b;
        var onW2 = onW1 == a ? b : a;
        for (var i = 0; i < 4; i++)
        {
            Clock.Advance(Liveness.AttentionInterval);
            Beat("w1", 1, new RunningTask(onW1, 1));
            Beat("w2", 1, new RunningTask(onW2, 1));
            Core.Attend(drained: true);
            Core.CheckLiveness();
        }

        Core.Effects.Clear();
        return (onW1, onW2);
    }
}
