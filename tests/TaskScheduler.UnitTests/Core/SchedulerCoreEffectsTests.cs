using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

/// <summary>What the core records for the journal and the broker, and the view it publishes.</summary>
public class SchedulerCoreEffectsTests : SchedulerCoreFixture
{
    [Test]
    public void Effects_RecordSnapshotAndEvent_ForEveryTransition()
    {
        var id = Submit(priority: 3);
        Join("w1", capacity: 1);
        Core.Dispatch();
        Join("w2", capacity: 1);
        Core.WorkerLeft(new WorkerLeft("w1", [], Now));
        Core.Dispatch();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Core.Finish(Result(id, "w2", 2, TaskOutcome.Failed, "boom")), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                Core.Effects.Events.Select(e => (e.TaskId, e.State, e.Attempt, e.WorkerId, e.Priority)),
                Is.EqualTo(new[]
                {
                    (id, TaskState.Pending, 0, (string?)null, 3),
                    (id, TaskState.Running, 1, "w1", 3),
                    (id, TaskState.Pending, 1, null, 3),
                    (id, TaskState.Running, 2, "w2", 3),
                    (id, TaskState.Failed, 2, "w2", 3),
                }));
            Assert.That(Core.Effects.Events[^1].At, Is.EqualTo(Now));
            Assert.That(Core.Effects.Changed.Keys, Is.EqualTo(new[] { id }));
            Assert.That(Core.Effects.Changed[id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(Core.Effects.Changed[id].Attempts, Is.EqualTo(2));
            Assert.That(Core.Effects.Changed[id].Error, Is.EqualTo("boom"));
            Assert.That(Core.Effects.Assignments.Select(a => (a.WorkerId, a.Attempt)), Is.EqualTo(new[] { ("w1", 1), ("w2", 2) }));
            Assert.That(Core.Effects.RemovedWorkers, Is.EqualTo(new[] { "w1" }));
        }
    }

    [Test]
    public void Effects_JournalEachChangedTaskOnce_WithItsLatestState()
    {
        Join("w1", capacity: 5);
        var ids = Enumerable.Range(0, 5).Select(_ => Submit()).ToList();
        Core.Dispatch();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Changed.Keys, Is.EquivalentTo(ids));
            Assert.That(Core.Effects.Changed.Values.Select(s => s.State), Is.All.EqualTo(TaskState.Running));
            Assert.That(Core.Effects.Events, Has.Count.EqualTo(10));
        }
    }


    [Test]
    public void View_ShowsPendingByPriorityRunningAndWorkers()
    {
        Join("w2", capacity: 1);
        Join("w1", capacity: 3);
        Submit(priority: 1);
        Submit(priority: 8);
        Submit(priority: 8);
        Submit(priority: 1);
        Submit(priority: 1);
        Submit(priority: 0);
        Core.Dispatch();

        var view = Core.View();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(view.Running, Is.EqualTo(4));
            Assert.That(view.Pending, Is.EqualTo(2));
            Assert.That(view.PendingByPriority, Is.EqualTo(new[] { KeyValuePair.Create(1, 1), KeyValuePair.Create(0, 1) }));
            Assert.That(view.Workers.Select(w => (w.Id, w.Capacity, w.InFlight)), Is.EqualTo(new[] { ("w1", 3, 3), ("w2", 1, 1) }));
            Assert.That(view.FreeSlots, Is.Zero);
        }
    }
}
