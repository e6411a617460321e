using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>Reconciling what a worker reports with what the scheduler assigned.</summary>
public class SchedulerCoreReconciliationTests : SchedulerCoreFixture
{
    [Test]
    public void Heartbeat_KeepsCurrentAttempt_WithoutCancelling()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.Effects.Clear();

        Clock.Advance(TimeSpan.FromMinutes(10));
        Beat("w1", capacity: 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Cancels, Is.Empty);
            Assert.That(Core.Effects.Events, Is.Empty, "no state change is announced");
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
            Assert.That(Active(id).StartedAt, Is.EqualTo(Now), "the first heartbeat listing the attempt says it started");
            Assert.That(Core.Effects.History.Select(h => h.Entry.Event), Is.EqualTo(new[] { TaskHistoryEvents.Started }));
        }

        Core.Effects.Clear();
        Beat("w1", capacity: 1, new RunningTask(id, 1));
        Assert.That(Core.Effects.IsEmpty, Is.True, "later heartbeats change nothing");
    }

    [Test]
    public void Heartbeat_CancelsAttempt_ClaimedByAWorkerItWasNotAssignedTo()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Join("w2", capacity: 1);
        Core.Effects.Clear();

        Beat("w2", capacity: 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Cancels.Select(c => (c.WorkerId, c.Order.TaskId, c.Order.Attempt)), Is.EqualTo(new[] { ("w2", id, 1) }));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
        }
    }

    [Test]
    public void Heartbeat_CancelsOldAttempt_AfterTheTaskMovedToAnotherWorker()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.AssignmentUndeliverable(Core.Effects.Assignments.Single());
        Join("w2", capacity: 1);
        Core.Dispatch();
        Core.Effects.Clear();

        Beat("w1", capacity: 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Cancels.Select(c => (c.WorkerId, c.Order.TaskId, c.Order.Attempt)), Is.EqualTo(new[] { ("w1", id, 1) }));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
            Assert.That(Active(id).Attempt, Is.EqualTo(2));
        }
    }

    [Test]
    public void Heartbeat_CancelsAttempts_OfTasksFinishedElsewhereAndUnknownTasks()
    {
        Join("w1", capacity: 2);
        Join("w2", capacity: 2);
        var finished = Submit();
        var first = DispatchNow().Single();
        Core.WorkerLeft(new WorkerLeft(first.WorkerId, [new RunningTask(finished, 1)], Now));
        var second = DispatchNow().Single();
        Core.Finish(Result(second));
        var unknown = Guid.NewGuid();
        Core.Effects.Clear();

        // The first worker still runs attempt 1, which it never reported; the task was finished by attempt 2.
        Beat(first.WorkerId, capacity: 2, new RunningTask(finished, 1), new RunningTask(unknown, 3));

        Assert.That(
            Core.Effects.Cancels.Select(c => (c.WorkerId, c.Order.TaskId, c.Order.Attempt)),
            Is.EquivalentTo(new[] { (first.WorkerId, finished, 1), (first.WorkerId, unknown, 3) }));
    }

    [Test]
    public void Heartbeat_NamingAnAttemptWhoseResultIsIn_IsLate_NotAZombie()
    {
        Join("w1", capacity: 2);
        var finished = Submit();
        Core.Dispatch();
        Core.Finish(Result(finished, "w1", 1));
        Core.Effects.Clear();

        // Sent before the worker's result was confirmed, read after the result was applied.
        Beat("w1", capacity: 2, new RunningTask(finished, 1));
        Assert.That(Core.Effects.Cancels, Is.Empty, "the attempt is over: there is nothing to cancel");

        // Once a heartbeat no longer names it, it is forgotten; should it be named again, it is cancelled.
        Beat("w1", capacity: 2);
        Beat("w1", capacity: 2, new RunningTask(finished, 1));
        Assert.That(Core.Effects.Cancels.Select(c => (c.Order.TaskId, c.Order.Attempt)), Is.EqualTo(new[] { (finished, 1) }));
    }

    [Test]
    public void Heartbeat_ListingOnlyAnOlderAttempt_DoesNotVouchForTheCurrentOne()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.AssignmentUndeliverable(Core.Effects.Assignments.Single());
        Beat("w1", capacity: 1);
        Core.Dispatch();
        Assert.That(Active(id).Attempt, Is.EqualTo(2), "reassigned to the same worker");
        Core.Effects.Clear();

        // The worker still reports attempt 1, never attempt 2: past the grace period attempt 2 is requeued.
        Clock.Advance(Liveness.ReconcileGrace + Tick);
        Beat("w1", 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Core.Effects.Cancels.Select(c => c.Order.Attempt), Is.EqualTo(new[] { 1 }), "the stale attempt is cancelled");
        }
    }

    [Test]
    public void Heartbeat_RequeuesAssignment_MissingForLongerThanReconcileGrace()
    {
        Join("w1", capacity: 1);
        var id = Submit(priority: 2);
        Core.Dispatch();
        Core.Effects.Clear();

        // Heartbeats keep the worker alive, but none lists the task.
        for (var second = 1; second <= Liveness.ReconcileGrace.TotalSeconds; second++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Beat("w1", capacity: 1);
            Core.CheckLiveness();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running), "within the grace period the assignment may still be in transit");
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Priority, Is.EqualTo(2));
            Assert.That(Active(id).Note, Does.Contain("w1"));
            Assert.That(Core.Workers["w1"].InFlight, Is.Empty);
            Assert.That(Core.Counters.Requeued, Is.EqualTo(1));
            Assert.That(Core.Effects.Events.Select(e => e.State), Is.EqualTo(new[] { TaskState.Pending }));
        }

        Core.Effects.Clear();
        Core.Dispatch();
        Assert.That(Core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 2, 2, "w1", Now) }));
    }

    [Test]
    public void WorkerJoined_RequeuesTasksHeldByThePreviousProcessOfThatId()
    {
        Join("w1", capacity: 2);
        var a = Submit();
        var b = Submit();
        Core.Dispatch();
        Core.Effects.Clear();

        Clock.Advance(TimeSpan.FromSeconds(1));
        Join("w1", capacity: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(a).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(b).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Core.Workers["w1"].InFlight, Is.Empty);
            Assert.That(Core.Counters.Requeued, Is.EqualTo(2));
            Assert.That(Core.Effects.Events.Select(e => (e.TaskId, e.State)), Is.EquivalentTo(new[] { (a, TaskState.Pending), (b, TaskState.Pending) }));
            Assert.That(Core.Effects.RemovedWorkers, Is.Empty, "the worker is back, its queue must stay");
        }

        Assert.That(Core.Dispatch(), Is.EqualTo(2));
        Assert.That(Core.Effects.Assignments.Select(x => x.Attempt), Is.EqualTo(new[] { 2, 2 }));
    }

    [Test]
    public void WorkerLeft_RequeuesItsTasks_AndListsItAsRemoved()
    {
        Join("w1", capacity: 1);
        var id = Submit(priority: 3);
        Core.Dispatch();
        Join("w2", capacity: 1);
        Core.Effects.Clear();

        Core.WorkerLeft(new WorkerLeft("w1", [new RunningTask(id, 1)], Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers.Keys, Is.EquivalentTo(new[] { "w2" }));
            Assert.That(Core.Effects.RemovedWorkers, Is.EqualTo(new[] { "w1" }));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Priority, Is.EqualTo(3));
        }

        Core.Dispatch();
        Assert.That(Core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 2, 3, "w2", Now) }));
    }

    [Test]
    public void WorkerLeft_ForUnknownWorker_ChangesNothing()
    {
        Join("w1", capacity: 1);
        Core.Effects.Clear();

        Core.WorkerLeft(new WorkerLeft("ghost", [], Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.IsEmpty, Is.True);
            Assert.That(Core.Workers.Keys, Is.EquivalentTo(new[] { "w1" }));
        }
    }

    [Test]
    public void AssignmentUndeliverable_RequeuesTask_AndStopsDispatchingToWorker_UntilItHeartbeats()
    {
        Join("w1", capacity: 2);
        var id = Submit();
        Core.Dispatch();
        var assignment = Core.Effects.Assignments.Single();
        Core.Effects.Clear();

        Core.AssignmentUndeliverable(assignment);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Note, Does.Contain("w1"));
            Assert.That(Core.Workers["w1"].Confirmed, Is.False);
            Assert.That(Core.Workers["w1"].InFlight, Is.Empty);
            Assert.That(Core.Dispatch(), Is.Zero, "w1's queue is gone; sending it more work is pointless");
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 2);

        Assert.That(Core.Dispatch(), Is.EqualTo(1));
        Assert.That(Core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 2, 0, "w1", Now) }));
    }

    [Test]
    public void AssignmentUndeliverable_ForSupersededAttempt_LeavesTheCurrentAttemptRunning()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        var stale = Core.Effects.Assignments.Single();
        Core.AssignmentUndeliverable(stale);
        Join("w2", capacity: 1);
        Core.Dispatch();
        Core.Effects.Clear();

        Core.AssignmentUndeliverable(stale);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
            Assert.That(Active(id).Attempt, Is.EqualTo(2));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Heartbeat_IgnoresAClaimOnAnAttemptNotYetIssued_SoThatAttemptIsNotCancelledBeforeItRuns()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Effects.Clear();

        // A forged or garbled heartbeat claims attempt 1 of a task still pending (its next attempt is 1).
        Beat("w1", capacity: 1, new RunningTask(id, 1));
        Assert.That(Core.Effects.Cancels, Is.Empty);

        Core.Dispatch();
        Assert.That(Active(id).Attempt, Is.EqualTo(1));
        Assert.That(Core.Effects.Cancels, Is.Empty, "attempt 1 is issued to w1 with no cancel order waiting for it");
    }

    [Test]
    public void Dispatch_DropsACancelOfTheSameGroup_ForTheAttemptItIssues()
    {
        Join("w1", capacity: 1);
        Core.Effects.Clear();
        var id = Guid.NewGuid();

        // The heartbeat is read before the submission of the same group: the task is still unknown.
        Beat("w1", capacity: 1, new RunningTask(id, 1));
        Assert.That(Core.Effects.Cancels, Has.Count.EqualTo(1));
        Core.Submit(id, 0, SubmissionParser.ContentHash("x"), 1, journaled: null);
        Core.Dispatch();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Assignments.Single().Attempt, Is.EqualTo(1));
            Assert.That(Core.Effects.Cancels, Is.Empty);
        }
    }
}
