using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

/// <summary>Rebuilding from the journal after a scheduler restart.</summary>
public class SchedulerCoreRestoreTests : SchedulerCoreFixture
{
    [Test]
    public void Restore_RequeuesPendingTasks_InTheirOriginalOrder()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        Core.Restore(
            [Snapshot(c, priority: 1, sequence: 30), Snapshot(a, priority: 1, sequence: 10), Snapshot(b, priority: 5, sequence: 20)],
            lastSequence: 30);
        var submittedAfterRestart = Submit(priority: 1);
        Join("w1", capacity: 1);

        Assert.That(DrainOneByOne(), Is.EqualTo(new[] { b, a, c, submittedAfterRestart }));
    }

    [Test]
    public void Restore_ContinuesSequenceAfterTheJournalsLast()
    {
        var restored = Guid.NewGuid();
        Core.Restore([Snapshot(restored, priority: 0, sequence: 5)], lastSequence: 100);

        var id = Submit();

        Assert.That(Active(id).Sequence, Is.GreaterThan(100));
    }

    [Test]
    public void Restore_KeepsRunningTaskOnUnconfirmedWorker_WhichGetsNoWorkUntilItHeartbeats()
    {
        var running = Guid.NewGuid();
        var pending = Guid.NewGuid();
        Core.Restore(
            [
                Snapshot(running, priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now.AddSeconds(-1)),
                Snapshot(pending, priority: 0, sequence: 2),
            ],
            lastSequence: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers["w1"].Confirmed, Is.False);
            Assert.That(Core.Workers["w1"].Holds(running), Is.True);
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Running));
            Assert.That(Core.Dispatch(), Is.Zero);
            Assert.That(Active(pending).State, Is.EqualTo(TaskState.Pending));
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 2, new RunningTask(running, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Cancels, Is.Empty);
            Assert.That(Core.Workers["w1"].Confirmed, Is.True);
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(running).Attempt, Is.EqualTo(1));
            Assert.That(Core.Dispatch(), Is.EqualTo(1));
            Assert.That(Active(pending).WorkerId, Is.EqualTo("w1"));
            Assert.That(Core.Workers["w1"].InFlight, Has.Count.EqualTo(2));
        }

        Assert.That(Core.Finish(Result(running, "w1", 1)), Is.True, "the result of the attempt that survived the restart counts");
    }

    [Test]
    public void Restore_RequeuesRunningTask_WhenItsWorkerNeverHeartbeats()
    {
        var running = Guid.NewGuid();
        Core.Restore(
            [Snapshot(running, priority: 6, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now.AddSeconds(-1))],
            lastSequence: 1);
        Join("w2", capacity: 1);

        Clock.Advance(Liveness.Window);
        Beat("w2", capacity: 1);
        Core.CheckLiveness();
        Assert.That(Active(running).WorkerId, Is.EqualTo("w1"), "w1 still has its liveness window");

        Clock.Advance(TimeSpan.FromMilliseconds(500));
        Beat("w2", capacity: 1);
        Core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers.ContainsKey("w1"), Is.False);
            Assert.That(Core.Effects.RemovedWorkers, Does.Contain("w1"));
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(running).Priority, Is.EqualTo(6));
        }

        Core.Effects.Clear();
        Core.Dispatch();

        Assert.That(Core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(running, 2, 6, "w2", Now) }));
    }

    [Test]
    public void Restore_RequeuesRunningTask_WhenItsWorkerComesBackWithoutIt()
    {
        var running = Guid.NewGuid();
        Core.Restore(
            [Snapshot(running, priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now.AddMinutes(-5))],
            lastSequence: 1);

        Beat("w1", capacity: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Core.Workers["w1"].InFlight, Is.Empty);
        }
    }
}
