using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests;

/// <summary>What the core makes of a broker that goes away and comes back: silence then proves nothing.</summary>
public class SchedulerCoreBrokerOutageTests : SchedulerCoreFixture
{
    [Test]
    public void CheckLiveness_DeclaresNobodyDead_WhileTheBrokerIsAway()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();

        Core.BrokerDisconnected();
        Clock.Advance(Liveness.Window * 10);
        Core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers.ContainsKey("w1"), Is.True);
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
        }
    }

    [Test]
    public void CheckLiveness_GivesWorkersTwoWindowsAfterReconnecting_ThenDeclaresTheSilentDead()
    {
        Join("w1", capacity: 1);
        Join("w2", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        var holder = Active(id).WorkerId!;
        var other = holder == "w1" ? "w2" : "w1";
        Core.BrokerDisconnected();
        Clock.Advance(TimeSpan.FromSeconds(30));
        Core.BrokerReconnected();

        // The other worker reconnects and reports; the holder stays silent.
        Clock.Advance(Liveness.Window * 2);
        Beat(other, capacity: 1);
        Core.CheckLiveness();
        Assert.That(Core.Workers.ContainsKey(holder), Is.True, "two windows after reconnecting are still tolerated");

        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat(other, capacity: 1);
        Core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers.ContainsKey(holder), Is.False);
            Assert.That(Core.Workers.ContainsKey(other), Is.True);
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending), "the silent worker's task is requeued");
        }
    }

    [Test]
    public void WorkerJoined_RedeliveredAfterLaterHeartbeats_DoesNotRequeueWhatTheWorkerRuns()
    {
        var joinedAt = Now;
        Join("w1", capacity: 2);
        var id = Submit();
        Core.Dispatch();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 2, new RunningTask(id, 1));

        Core.WorkerJoined(new WorkerJoined("w1", 2, "host-1", 4242, joinedAt));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).Attempt, Is.EqualTo(1));
            Assert.That(Core.Counters.Requeued, Is.Zero);
        }
    }

    [Test]
    public void WorkerJoined_RedeliveredToARestartedScheduler_DoesNotRequeueWhatWasAssignedAfterIt()
    {
        // The scheduler consumed w1's join, assigned it a task and was killed before acknowledging the join; restarted,
        // it reads the task back as running on w1, and the broker delivers the join again.
        var joinedAt = Now;
        Clock.Advance(TimeSpan.FromMilliseconds(400));
        var id = Guid.NewGuid();
        Core.Restore([Snapshot(id, priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now)], lastSequence: 1);
        Clock.Advance(TimeSpan.FromSeconds(2));

        Core.WorkerJoined(new WorkerJoined("w1", 2, "host-1", 4242, joinedAt));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).Attempt, Is.EqualTo(1), "no second attempt of a task the worker runs");
            Assert.That(Core.Counters.Requeued, Is.Zero);
        }
    }

    [Test]
    public void WorkerJoined_FromARestartedProcess_StillRequeuesWhatItsPredecessorHeld()
    {
        Join("w1", capacity: 2);
        var id = Submit();
        Core.Dispatch();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 2, new RunningTask(id, 1));
        Clock.Advance(TimeSpan.FromSeconds(1));

        Join("w1", capacity: 2);

        Assert.That(Core.Counters.Requeued, Is.EqualTo(1));
    }
}
