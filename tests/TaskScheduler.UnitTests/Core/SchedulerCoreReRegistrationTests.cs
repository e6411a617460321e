using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests;

/// <summary>A worker declared dead that comes back on its own: registered again by its heartbeats, without joined.</summary>
public class SchedulerCoreReRegistrationTests : SchedulerCoreFixture
{
    [Test]
    public void Heartbeat_AfterTheWorkerWasDeclaredDead_GivesItNoWork_UntilAHeartbeatSentAnIntervalLater()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Assert.That(DispatchNow().Single().Attempt, Is.EqualTo(1));
        DeclareDead("w1");

        // It thaws: its first heartbeat may leave before it has declared the queues its death deleted.
        Beat("w1", capacity: 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers["w1"].Confirmed, Is.False);
            Assert.That(DispatchNow(), Is.Empty);
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1);
        var assignment = DispatchNow().Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers["w1"].Confirmed, Is.True);
            Assert.That((assignment.TaskId, assignment.WorkerId, assignment.Attempt), Is.EqualTo((id, "w1", 2)));
        }
    }

    [Test]
    public void Heartbeats_SentCloseTogether_DoNotProveTheQueues_OfAWorkerRegisteredByAHeartbeat()
    {
        Submit();
        var first = Now;
        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, first));
        Clock.Advance(TimeSpan.FromSeconds(2));
        // Read together (the scheduler was busy), but sent 100 ms apart on the worker's clock.
        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, first.AddMilliseconds(100)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers["w1"].Confirmed, Is.False);
            Assert.That(DispatchNow(), Is.Empty);
        }

        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, first.AddMilliseconds(500)));
        Assert.That(DispatchNow(), Has.Count.EqualTo(1));
    }

    [Test]
    public void Joined_AfterARegisteringHeartbeat_ProvesTheQueuesAtOnce()
    {
        var id = Submit();
        Beat("w1", capacity: 1);
        Assert.That(DispatchNow(), Is.Empty);

        Join("w1", capacity: 1);
        Assert.That(DispatchNow().Single().TaskId, Is.EqualTo(id));
    }

    [Test]
    public void Heartbeat_OfAWorkerKnownOnlyFromTheJournal_ConfirmsItAtOnce()
    {
        // Its queues were never deleted: the scheduler restarted, the worker did not die.
        var held = Guid.NewGuid();
        Core.Restore([Snapshot(held, priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now)], lastSequence: 1);
        Submit();
        Beat("w1", capacity: 2, new RunningTask(held, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers["w1"].Confirmed, Is.True);
            Assert.That(DispatchNow(), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void WorkerCounts_AreKept_WhenAWorkerDeclaredDeadRegistersAgainByHeartbeat()
    {
        Join("w1", capacity: 2);
        Submit();
        Submit();
        var assignments = DispatchNow();
        Assert.That(Core.Finish(Result(assignments[0])), Is.True);
        Assert.That(Core.Finish(Result(assignments[1].TaskId, "w1", 1, TaskOutcome.Failed, "boom")), Is.True);
        DeclareDead("w1");

        Beat("w1", capacity: 2);
        var view = Core.View().Workers.Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(view.Id, Is.EqualTo("w1"));
            Assert.That(view.Completed, Is.EqualTo(1));
            Assert.That(view.Failed, Is.EqualTo(1));
        }
    }

    [Test]
    public void WorkerCounts_AreKept_WhenAWorkerThatLeftJoinsAgain()
    {
        Join("w1", capacity: 1);
        Submit();
        Assert.That(Core.Finish(Result(DispatchNow().Single())), Is.True);
        Core.WorkerLeft(new WorkerLeft("w1", [], Now));
        Assert.That(Core.View().Workers, Is.Empty);

        Clock.Advance(TimeSpan.FromMinutes(5));
        Join("w1", capacity: 1);
        Submit();
        Assert.That(Core.Finish(Result(DispatchNow().Single())), Is.True);

        Assert.That(Core.View().Workers.Single().Completed, Is.EqualTo(2));
    }

    private void DeclareDead(string workerId)
    {
        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Core.CheckLiveness();
        Assert.That(Core.Workers.ContainsKey(workerId), Is.False);
    }
}
