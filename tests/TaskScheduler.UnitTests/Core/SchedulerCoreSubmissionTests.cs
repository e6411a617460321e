using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>Resubmissions: harmless duplicates and conflicting content.</summary>
public class SchedulerCoreSubmissionTests : SchedulerCoreFixture
{
    [Test]
    public void Submit_ReturnsDuplicate_ForSameIdPayloadAndPriority()
    {
        var id = Guid.NewGuid();
        var hash = SubmissionParser.ContentHash("resize 42");
        Core.Submit(id, 3, hash, 9, journaled: null);
        Core.Effects.Clear();

        var outcome = Core.Submit(id, 3, hash, 9, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(SubmitOutcome.Duplicate));
            Assert.That(Core.Counters.Duplicates, Is.EqualTo(1));
            Assert.That(Core.Counters.Accepted, Is.EqualTo(1));
            Assert.That(Core.PendingCount, Is.EqualTo(1));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Submit_ReturnsDuplicate_WhileTheTaskIsRunning()
    {
        var id = Guid.NewGuid();
        var hash = SubmissionParser.ContentHash("resize 42");
        Core.Submit(id, 3, hash, 9, journaled: null);
        Join("w1", capacity: 1);
        Core.Dispatch();
        Core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Submit(id, 3, hash, 9, journaled: null), Is.EqualTo(SubmitOutcome.Duplicate));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Core.PendingCount, Is.Zero);
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [TestCase("resize 43", 3, TestName = "Submit_ReturnsConflict_ForSameIdWithOtherPayload")]
    [TestCase("resize 42", 4, TestName = "Submit_ReturnsConflict_ForSameIdWithOtherPriority")]
    public void Submit_ReturnsConflict_ForSameIdWithOtherContent(string payload, int priority)
    {
        var id = Guid.NewGuid();
        Core.Submit(id, 3, SubmissionParser.ContentHash("resize 42"), 9, journaled: null);
        Core.Effects.Clear();

        var outcome = Core.Submit(id, priority, SubmissionParser.ContentHash(payload), 9, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(SubmitOutcome.Conflict));
            Assert.That(Core.Counters.Rejected, Is.EqualTo(1));
            Assert.That(Active(id).Priority, Is.EqualTo(3));
            Assert.That(Active(id).ContentHash, Is.EqualTo(SubmissionParser.ContentHash("resize 42")));
            Assert.That(Core.PendingCount, Is.EqualTo(1));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [TestCase(TaskState.Completed)]
    [TestCase(TaskState.Failed)]
    public void Submit_ComparesWithJournaledFinishedTask(TaskState state)
    {
        var id = Guid.NewGuid();
        var hash = SubmissionParser.ContentHash("resize 42");
        var journaled = Snapshot(id, priority: 2, sequence: 1, state, attempts: 1, contentHash: hash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Submit(id, 2, hash, 9, journaled), Is.EqualTo(SubmitOutcome.Duplicate));
            Assert.That(Core.Submit(id, 3, hash, 9, journaled), Is.EqualTo(SubmitOutcome.Conflict));
            Assert.That(Core.Submit(id, 2, SubmissionParser.ContentHash("other"), 5, journaled), Is.EqualTo(SubmitOutcome.Conflict));
            Assert.That(Core.ActiveCount, Is.Zero, "a finished task is not run again");
            Assert.That(Core.PendingCount, Is.Zero);
            Assert.That(Core.Counters.Accepted, Is.Zero);
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void ASingleTaskWithOptions_IsAcceptedOnTheSinglePath_KeepingEachOption_AndItsResubmissionIsADuplicate()
    {
        var task = Spec(Guid.NewGuid(), priority: 2, maxRetries: 3) with
        {
            Timeout = TimeSpan.FromMinutes(5), Requires = ["gpu"], Group = "team-a", Delay = TimeSpan.FromSeconds(30),
        };

        var verdict = Core.Submit(task, journaled: null);
        var accepted = Core.Effects.Changed[task.Id];
        var again = Core.Submit(task, journaled: null);
        var other = Core.Submit(task with { Priority = 7 }, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict, Is.EqualTo(SubmitVerdict.Accepted));
            Assert.That((accepted.MaxRetries, accepted.Timeout, accepted.Group, accepted.RunAt), Is.EqualTo((3, TimeSpan.FromMinutes(5), "team-a", Now.AddSeconds(30))));
            Assert.That(accepted.Requires, Is.EqualTo(new[] { "gpu" }));
            Assert.That(again, Is.EqualTo(SubmitVerdict.Duplicate));
            Assert.That(other.Outcome, Is.EqualTo(SubmitOutcome.Conflict));
            Assert.That(other.Reason, Is.EqualTo(SubmitVerdict.ConflictReason));
            Assert.That(Core.Counters.Accepted, Is.EqualTo(1));
        }
    }

    [Test]
    public void ASingleTaskInANewGroupBeyondTheLaneLimit_IsRefusedWithTheReason_AndAPlainOneIsNot()
    {
        Use(new SchedulerCore(Liveness, Clock) { MaxLanes = 1 });
        Core.Submit(Spec(Guid.NewGuid()) with { Group = "a" }, journaled: null);

        var refused = Core.Submit(Spec(Guid.NewGuid()) with { Group = "b" }, journaled: null);
        var plain = Core.Submit(Spec(Guid.NewGuid()), journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Outcome, Is.EqualTo(SubmitOutcome.Invalid));
            Assert.That(refused.Reason, Does.StartWith("too many tenant groups and sets of required tags would have tasks waiting (2; at most 1"));
            Assert.That(plain, Is.EqualTo(SubmitVerdict.Accepted));
        }
    }

    [Test]
    public void ASingleTaskWithDependencies_IsNotTakenOnTheSinglePath()
    {
        var task = Spec(Guid.NewGuid(), dependsOn: [Guid.NewGuid()]);

        Assert.That(() => Core.Submit(task, journaled: null), Throws.ArgumentException.With.Message.Contain("graph"));
    }
}
