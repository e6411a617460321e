using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

/// <summary>Declaring silent workers dead and requeuing their tasks.</summary>
public class SchedulerCoreLivenessTests : SchedulerCoreFixture
{
    [Test]
    public void CheckLiveness_DeclaresSilentWorkerDead_AndDispatchesItsTasksToOthers()
    {
        Join("w1", capacity: 2);
        var a = Submit(priority: 7);
        var b = Submit(priority: 7);
        Core.Dispatch();
        Join("w2", capacity: 2);
        Core.Effects.Clear();

        // w2 heartbeats every second, w1 is silent: exactly one liveness window of silence is still tolerated.
        for (var second = 1; second <= 3; second++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Beat("w2", capacity: 2);
            Core.CheckLiveness();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers.ContainsKey("w1"), Is.True);
            Assert.That(Active(a).WorkerId, Is.EqualTo("w1"));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w2", capacity: 2);
        Core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers.Keys, Is.EquivalentTo(new[] { "w2" }));
            Assert.That(Core.Effects.RemovedWorkers, Is.EqualTo(new[] { "w1" }));
            Assert.That(Core.Counters.WorkersDeclaredDead, Is.EqualTo(1));
            Assert.That(Core.Counters.Requeued, Is.EqualTo(2));
            foreach (var id in new[] { a, b })
            {
                Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
                Assert.That(Active(id).Priority, Is.EqualTo(7));
                Assert.That(Active(id).WorkerId, Is.Null);
                Assert.That(Active(id).Note, Does.Contain("w1"));
            }

            Assert.That(Core.View().PendingByPriority, Is.EqualTo(new[] { KeyValuePair.Create(7, 2) }));
        }

        Core.Effects.Clear();
        Assert.That(Core.Dispatch(), Is.EqualTo(2));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Assignments.Select(x => (x.TaskId, x.WorkerId, x.Attempt)), Is.EquivalentTo(new[] { (a, "w2", 2), (b, "w2", 2) }));
            Assert.That(Active(a).Attempt, Is.EqualTo(2));
            Assert.That(Active(b).Attempt, Is.EqualTo(2));
        }
    }

    [Test]
    public void CheckLiveness_CountsSilenceFromTheLastMessage_NotFromJoining()
    {
        Join("w1", capacity: 1);
        for (var i = 0; i < 10; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            Beat("w1", capacity: 1);
            Core.CheckLiveness();
        }

        Assert.That(Core.Workers.ContainsKey("w1"), Is.True);

        Clock.Advance(Liveness.Window);
        Core.CheckLiveness();
        Assert.That(Core.Workers.ContainsKey("w1"), Is.True, "silent for exactly the window: still alive");

        Clock.Advance(Tick);
        Core.CheckLiveness();
        Assert.That(Core.Workers.ContainsKey("w1"), Is.False);
    }

    [Test]
    public void CheckLiveness_TreatsAResultAsSignOfLife()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();

        Clock.Advance(Liveness.Window);
        Assert.That(Core.Finish(Result(id, "w1", 1)), Is.True);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Core.CheckLiveness();

        Assert.That(Core.Workers.ContainsKey("w1"), Is.True);
    }
}
