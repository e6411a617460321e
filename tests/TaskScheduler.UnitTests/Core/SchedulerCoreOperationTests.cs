using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.UnitTests;

/// <summary>An operator's actions on the core: retry (with the dependents it took down), priority change, delete check.</summary>
public class SchedulerCoreOperationTests : SchedulerCoreFixture
{
    [Test]
    public void Retry_OfAFailedTask_QueuesItUnderTheSameId_AndItsNextAttemptRuns()
    {
        Join("w1", capacity: 1);
        var id = Submit(priority: 4);
        var first = DispatchNow().Single();
        var failed = Fail(first);

        var verdict = Core.Retry(id, "alice", "bug fixed", Known(failed));
        var next = DispatchNow().Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.Outcome, Is.EqualTo(TaskActionOutcome.Done));
            Assert.That(next.TaskId, Is.EqualTo(id));
            Assert.That(next.Attempt, Is.EqualTo(2), "the next attempt after the failed one");
            Assert.That(next.Priority, Is.EqualTo(4), "with its priority");
            Assert.That(Core.Effects.History.Where(h => h.TaskId == id).Select(h => (h.Entry.Event, h.Entry.Detail)),
                Does.Contain((TaskHistoryEvents.Retried, "by alice: bug fixed")));
        }

        Assert.That(Core.Finish(Result(next)), Is.True);
        Assert.That(Core.Effects.Changed[id].State, Is.EqualTo(TaskState.Completed));
    }

    [Test]
    public void Retry_ReleasesTheDependentsThatFailedBecauseOfIt_DownTheGraph_WhichRunAfterIt()
    {
        Join("w1", capacity: 1);
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        SubmitGraph(Spec(a), Spec(b, dependsOn: [a]), Spec(c, dependsOn: [b]));
        var failedA = Fail(DispatchNow().Single());
        var failedB = Core.Effects.Changed[b];
        var failedC = Core.Effects.Changed[c];
        Assert.That(new[] { failedB.State, failedC.State }, Is.All.EqualTo(TaskState.Failed), "a's failure took b and c down");

        var verdict = Core.Retry(a, "alice", null, Known(failedA, failedB, failedC));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.Outcome, Is.EqualTo(TaskActionOutcome.Done));
            Assert.That(verdict.Released, Is.EqualTo(new[] { b, c }));
            Assert.That(Active(b).IsWaitingOnDependencies, Is.True, "b waits for a again");
            Assert.That(Active(c).IsWaitingOnDependencies, Is.True, "c waits for b again");
        }

        Assert.That(Core.Finish(Result(DispatchNow().Single())), Is.True);
        var runsB = DispatchNow().Single();
        Assert.That(runsB.TaskId, Is.EqualTo(b), "b runs once a completed");
    }

    [Test]
    public void Retry_OfATaskWhoseDependencyStillFailed_IsRefused()
    {
        Join("w1", capacity: 1);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        SubmitGraph(Spec(a), Spec(b, dependsOn: [a]));
        var failedA = Fail(DispatchNow().Single());
        var failedB = Core.Effects.Changed[b];

        var verdict = Core.Retry(b, "alice", null, Known(failedA, failedB));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.Outcome, Is.EqualTo(TaskActionOutcome.Conflict));
            Assert.That(verdict.Reason, Does.Contain($"dependency {a} is Failed"));
            Assert.That(Core.FindActive(b), Is.Null);
        }
    }

    [Test]
    public void Retry_OfAnUnfinishedOrCompletedOrUnknownTask_IsRefused()
    {
        var pending = Submit();
        var completed = Snapshot(Guid.NewGuid(), 0, 99, TaskState.Completed, attempts: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Retry(pending, "alice", null, Known()).Outcome, Is.EqualTo(TaskActionOutcome.Conflict));
            Assert.That(Core.Retry(completed.Id, "alice", null, Known(completed)).Outcome, Is.EqualTo(TaskActionOutcome.Conflict));
            Assert.That(Core.Retry(Guid.NewGuid(), "alice", null, Known()), Is.EqualTo(TaskActionVerdict.NotFound));
        }
    }

    [Test]
    public void Retry_OfACancelledTask_QueuesItAgain()
    {
        var id = Submit();
        Core.Cancel(id, "oops", journaled: null);
        var cancelled = Core.Effects.Changed[id];

        Assert.That(Core.Retry(id, "bob", "not meant", Known(cancelled)).Outcome, Is.EqualTo(TaskActionOutcome.Done));
        Join("w1", capacity: 1);
        Assert.That(DispatchNow().Single().TaskId, Is.EqualTo(id));
    }

    [Test]
    public void ChangePriority_OfAQueuedTask_ReordersTheQueue_AndIsInItsHistory()
    {
        var first = Submit(priority: 1);
        var second = Submit(priority: 1);

        var verdict = Core.ChangePriority(second, 9, "carol", "customer waiting", journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict, Is.EqualTo(TaskActionVerdict.Done));
            Assert.That(Core.Effects.History.Where(h => h.TaskId == second).Select(h => h.Entry.Detail), Does.Contain("1 to 9 by carol: customer waiting"));
            Assert.That(DrainOneByOneAfterJoin(), Is.EqualTo(new[] { second, first }));
        }
    }

    [Test]
    public void ChangePriority_IsJournaledWithItsHistoryStep()
    {
        var id = Submit(priority: 1);
        Core.Effects.Clear();

        Core.ChangePriority(id, 7, "carol", null, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Changed[id].Priority, Is.EqualTo(7));
            Assert.That(Core.Effects.Events.Single().Priority, Is.EqualTo(7));
            Assert.That(Core.Effects.Changed[id].History[^1].Detail, Is.EqualTo("1 to 7 by carol"));
        }
    }

    [Test]
    public void ChangePriority_OfARunningOrFinishedTask_IsRefused()
    {
        Join("w1", capacity: 1);
        var running = Submit();
        DispatchNow();
        var finished = Snapshot(Guid.NewGuid(), 0, 99, TaskState.Failed, attempts: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.ChangePriority(running, 5, "carol", null, null).Outcome, Is.EqualTo(TaskActionOutcome.Conflict));
            Assert.That(Core.ChangePriority(finished.Id, 5, "carol", null, finished).Outcome, Is.EqualTo(TaskActionOutcome.Conflict));
            Assert.That(Core.ChangePriority(Guid.NewGuid(), 5, "carol", null, null), Is.EqualTo(TaskActionVerdict.NotFound));
        }
    }

    [Test]
    public void CheckDelete_AllowsOnlyAFinishedTask()
    {
        var pending = Submit();
        var finished = Snapshot(Guid.NewGuid(), 0, 99, TaskState.Completed, attempts: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.CheckDelete(pending, null).Outcome, Is.EqualTo(TaskActionOutcome.Conflict));
            Assert.That(Core.CheckDelete(finished.Id, finished), Is.EqualTo(TaskActionVerdict.Done));
            Assert.That(Core.CheckDelete(Guid.NewGuid(), null), Is.EqualTo(TaskActionVerdict.NotFound));
        }
    }

    private TaskSnapshot Fail(Assignment assignment)
    {
        Assert.That(Core.Finish(Result(assignment.TaskId, assignment.WorkerId, assignment.Attempt, TaskOutcome.Failed, "boom")), Is.True);
        return Core.Effects.Changed[assignment.TaskId];
    }

    private List<Guid> DrainOneByOneAfterJoin()
    {
        Join("w1", capacity: 1);
        return DrainOneByOne();
    }

    private static Dictionary<Guid, TaskSnapshot> Known(params TaskSnapshot[] tasks) => tasks.ToDictionary(t => t.Id);
}
