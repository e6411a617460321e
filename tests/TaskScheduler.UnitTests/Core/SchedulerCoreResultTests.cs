using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

/// <summary>Applying results, and fencing off those that are stale or forged.</summary>
public class SchedulerCoreResultTests : SchedulerCoreFixture
{
    [Test]
    public void Finish_CompletesTask_AndFreesItsSlot()
    {
        Join("w1", capacity: 1);
        var first = Submit();
        var second = Submit();
        Core.Dispatch();
        Clock.Advance(TimeSpan.FromSeconds(2));
        Core.Effects.Clear();

        var accepted = Core.Finish(new TaskFinished("w1", first, 1, TaskOutcome.Completed, null, Now.AddSeconds(-2), Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.True);
            Assert.That(Core.FindActive(first), Is.Null);
            Assert.That(Core.Effects.Changed[first].State, Is.EqualTo(TaskState.Completed));
            Assert.That(Core.Effects.Changed[first].FinishedAt, Is.EqualTo(Now));
            Assert.That(Core.Effects.Events.Single().State, Is.EqualTo(TaskState.Completed));
            Assert.That((Core.Effects.Events.Single().StartedAt, Core.Effects.Events.Single().FinishedAt), Is.EqualTo((Now.AddSeconds(-2), Now)),
                "the final event says when the worker ran the task");
            Assert.That(Core.Counters.Completed, Is.EqualTo(1));
            Assert.That(Core.Workers["w1"].Completed, Is.EqualTo(1));
            Assert.That(Core.Workers["w1"].InFlight, Is.Empty);
        }

        Assert.That(Core.Dispatch(), Is.EqualTo(1));
        Assert.That(Active(second).WorkerId, Is.EqualTo("w1"));
    }

    [Test]
    public void Finish_RecordsFailureWithItsError()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.Effects.Clear();

        Assert.That(Core.Finish(Result(id, "w1", 1, TaskOutcome.Failed, "disk full")), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Changed[id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(Core.Effects.Changed[id].Error, Is.EqualTo("disk full"));
            Assert.That(Core.Effects.Events.Single().Error, Is.EqualTo("disk full"));
            Assert.That(Core.Counters.Failed, Is.EqualTo(1));
            Assert.That(Core.Counters.Completed, Is.Zero);
            Assert.That(Core.Workers["w1"].Failed, Is.EqualTo(1));
        }
    }

    [TestCase("w1", 1, TestName = "Finish_FencesResult_FromPreviousWorkersSupersededAttempt")]
    [TestCase("w1", 2, TestName = "Finish_FencesResult_FromWrongWorkerWithCurrentAttemptNumber")]
    [TestCase("w2", 1, TestName = "Finish_FencesResult_FromCurrentWorkerWithOldAttempt")]
    [TestCase("w2", 3, TestName = "Finish_FencesResult_FromCurrentWorkerWithFutureAttempt")]
    [TestCase("w3", 2, TestName = "Finish_FencesResult_FromUnknownWorker")]
    public void Finish_FencesResult_ThatIsNotTheCurrentAttempt(string workerId, int attempt)
    {
        // Attempt 1 went to w1 but could not be delivered; attempt 2 now runs on w2.
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.AssignmentUndeliverable(Core.Effects.Assignments.Single());
        Join("w2", capacity: 1);
        Core.Dispatch();
        Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
        Core.Effects.Clear();
        var requeuedBefore = Core.Counters.Requeued;

        var accepted = Core.Finish(Result(id, workerId, attempt));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.False);
            Assert.That(Core.Counters.FencedResults, Is.EqualTo(1));
            Assert.That(Core.Effects.IsEmpty, Is.True);
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
            Assert.That(Active(id).Attempt, Is.EqualTo(2));
            Assert.That(Core.Workers["w2"].Holds(id), Is.True);
            Assert.That(Core.Counters.Completed, Is.Zero);
            Assert.That(Core.Counters.Requeued, Is.EqualTo(requeuedBefore));
        }
    }

    [Test]
    public void Finish_FencesResult_ForUnknownTask()
    {
        Join("w1", capacity: 1);
        Core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Finish(Result(Guid.NewGuid(), "w1", 1)), Is.False);
            Assert.That(Core.Counters.FencedResults, Is.EqualTo(1));
            Assert.That(Core.Counters.Completed, Is.Zero);
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Finish_FencesResult_ForTaskThatIsPending()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Finish(Result(id, "w1", 0)), Is.False);
            Assert.That(Core.Finish(Result(id, "w1", 1)), Is.False);
            Assert.That(Core.Counters.FencedResults, Is.EqualTo(2));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Core.PendingCount, Is.EqualTo(1));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Finish_IgnoresRepeatedResult_AndDoesNotFreeTheSlotTwice()
    {
        Join("w1", capacity: 1);
        var first = Submit();
        var second = Submit();
        var third = Submit();
        Core.Dispatch();
        Assert.That(Core.Finish(Result(first, "w1", 1)), Is.True);
        Core.Dispatch();
        Assert.That(Active(second).WorkerId, Is.EqualTo("w1"));
        Core.Effects.Clear();

        var repeated = Core.Finish(Result(first, "w1", 1, TaskOutcome.Failed, "late duplicate"));
        var dispatched = Core.Dispatch();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(repeated, Is.False);
            Assert.That(dispatched, Is.Zero, "w1 is still busy with the second task");
            Assert.That(Core.Workers["w1"].InFlight, Is.EqualTo(new[] { second }));
            Assert.That(Active(third).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Core.Counters.Completed, Is.EqualTo(1));
            Assert.That(Core.Counters.Failed, Is.Zero);
            Assert.That(Core.Counters.FencedResults, Is.EqualTo(1));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }
}
