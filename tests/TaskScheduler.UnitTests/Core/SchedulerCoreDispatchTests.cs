using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>Submitting and dispatching: priority order, capacity and fair share.</summary>
public class SchedulerCoreDispatchTests : SchedulerCoreFixture
{
    [Test]
    public void Submit_QueuesNewTaskAsPending()
    {
        var id = Guid.NewGuid();

        var outcome = Core.Submit(id, priority: 4, SubmissionParser.ContentHash("p"), payloadBytes: 1, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(SubmitOutcome.Accepted));
            Assert.That(Core.PendingCount, Is.EqualTo(1));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Priority, Is.EqualTo(4));
            Assert.That(Core.Counters.Accepted, Is.EqualTo(1));
        }
    }

    [Test]
    public void Dispatch_AssignsHighestPriorityFirst_WhenSlotsAreScarce()
    {
        var low = Submit(priority: 0);
        var high = Submit(priority: 9);
        var mid = Submit(priority: 4);
        var alsoHigh = Submit(priority: 9);
        Join("w1", capacity: 1);

        var order = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            Core.Effects.Clear();
            Assert.That(Core.Dispatch(), Is.EqualTo(1));
            var assignment = Core.Effects.Assignments.Single();
            order.Add(assignment.TaskId);
            Assert.That(Core.Finish(Result(assignment)), Is.True);
        }

        Assert.That(order, Is.EqualTo(new[] { high, alsoHigh, mid, low }));
    }

    [Test]
    public void Dispatch_RecordsAssignmentWithAttemptPriorityAndWorker()
    {
        var id = Submit(priority: 5);
        Join("w1", capacity: 2);
        Core.Effects.Clear();

        Assert.That(Core.Dispatch(), Is.EqualTo(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 1, 5, "w1", Now) }));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
            Assert.That(Core.Workers["w1"].Holds(id), Is.True);
            Assert.That(Core.PendingCount, Is.Zero);
        }
    }

    [Test]
    public void Dispatch_AssignsNothing_WhenNoWorkerIsRegistered()
    {
        Submit();
        Submit();
        Core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Dispatch(), Is.Zero);
            Assert.That(Core.PendingCount, Is.EqualTo(2));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Dispatch_NeverExceedsAnyWorkersCapacity_WithThousandPendingTasks()
    {
        Join("w1", capacity: 1);
        Join("w2", capacity: 3);
        Join("w3", capacity: 10);
        Join("w4", capacity: 7);
        for (var i = 0; i < 1000; i++)
        {
            Submit(priority: i % 5);
        }

        Core.Effects.Clear();
        Assert.That(Core.Dispatch(), Is.EqualTo(21));
        using (Assert.EnterMultipleScope())
        {
            foreach (var worker in Core.Workers.Values)
            {
                Assert.That(worker.InFlight, Has.Count.EqualTo(worker.Capacity), $"worker {worker.Id} should be full");
            }

            Assert.That(Core.PendingCount, Is.EqualTo(979));
        }

        // Results trickle in one by one; every freed slot is refilled at once.
        var priorities = new List<int>();
        var finished = 0;
        while (Core.Effects.Assignments.Count > 0)
        {
            var batch = Core.Effects.Assignments.ToList();
            Core.Effects.Clear();
            foreach (var assignment in batch)
            {
                priorities.Add(assignment.Priority);
                Clock.Advance(TimeSpan.FromMilliseconds(5));
                Assert.That(Core.Finish(Result(assignment)), Is.True);
                finished++;
                AssertNoWorkerOverCapacity();
                Core.Dispatch();
                AssertNoWorkerOverCapacity();
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finished, Is.EqualTo(1000));
            Assert.That(Core.Counters.Completed, Is.EqualTo(1000));
            Assert.That(Core.ActiveCount, Is.Zero);
            Assert.That(Core.PendingCount, Is.Zero);
            Assert.That(priorities, Is.Ordered.Descending, "all tasks were pending from the start, so priority decides");
        }
    }

    [Test]
    public void Dispatch_SpreadsTasksEvenly_AcrossEqualWorkers()
    {
        Join("w1", capacity: 4);
        Join("w2", capacity: 4);
        Join("w3", capacity: 4);
        for (var i = 0; i < 6; i++)
        {
            Submit();
        }

        Core.Effects.Clear();
        Core.Dispatch();

        Assert.That(PerWorker(Core.Effects.Assignments), Is.EquivalentTo(new Dictionary<string, int> { ["w1"] = 2, ["w2"] = 2, ["w3"] = 2 }));
    }

    [Test]
    public void Dispatch_SpreadsTasksInProportionToCapacity_AcrossUnequalWorkers()
    {
        Join("small", capacity: 2);
        Join("big", capacity: 8);
        for (var i = 0; i < 5; i++)
        {
            Submit();
        }

        Core.Effects.Clear();
        Core.Dispatch();

        Assert.That(PerWorker(Core.Effects.Assignments), Is.EquivalentTo(new Dictionary<string, int> { ["small"] = 1, ["big"] = 4 }));
    }

    [Test]
    public void Dispatch_RotatesAcrossIdleWorkers_WhenEachTaskFinishesBeforeTheNextArrives()
    {
        Join("w1", capacity: 2);
        Join("w2", capacity: 2);
        Join("w3", capacity: 2);
        Core.Effects.Clear();

        for (var i = 0; i < 9; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Submit();
            Core.Dispatch();
            Assert.That(Core.Finish(Result(Core.Effects.Assignments[^1])), Is.True);
        }

        Assert.That(PerWorker(Core.Effects.Assignments), Is.EquivalentTo(new Dictionary<string, int> { ["w1"] = 3, ["w2"] = 3, ["w3"] = 3 }));
    }

    [Test]
    public void Dispatch_BreaksLoadTie_AgainstTheWorkerThatGotATaskMostRecently()
    {
        Join("x", capacity: 2);
        Join("y", capacity: 2);
        Core.Heartbeat(new WorkerHeartbeat("x", 2, [], Draining: true, Now));

        // y takes two tasks while x drains, and frees a slot at t+3.
        Clock.Advance(TimeSpan.FromSeconds(1));
        var y1 = Submit();
        Submit();
        Core.Dispatch();
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(Core.Finish(Result(y1, "y", 1)), Is.True);

        // x is back and, being empty, gets the next task at t+5: both are now half loaded.
        Clock.Advance(TimeSpan.FromSeconds(2));
        Beat("x", capacity: 2);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var a = Submit();
        Core.Dispatch();
        Assert.That(Active(a).WorkerId, Is.EqualTo("x"));

        Clock.Advance(TimeSpan.FromSeconds(1));
        var b = Submit();
        Core.Dispatch();

        Assert.That(Active(b).WorkerId, Is.EqualTo("y"), "y has waited since t+3, x only since its assignment at t+5");
    }

    [Test]
    public void Dispatch_SkipsDrainingWorker_UntilItStopsDraining()
    {
        Join("w1", capacity: 2);
        Core.Heartbeat(new WorkerHeartbeat("w1", 2, [], Draining: true, Now));
        var id = Submit();

        Assert.That(Core.Dispatch(), Is.Zero);

        Beat("w1", capacity: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Dispatch(), Is.EqualTo(1));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
        }
    }
}
