using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

public class ScheduledTaskTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ScheduledTask NewTask() => new(Guid.NewGuid(), priority: 3, sequence: 7, T0, "hash", payloadBytes: 12);

    private static ScheduledTask Running(string worker = "w1")
    {
        var task = NewTask();
        task.Assign(worker, T0.AddSeconds(1));
        return task;
    }

    private static ScheduledTask Completed()
    {
        var task = Running();
        task.Finish(TaskOutcome.Completed, null, T0.AddSeconds(2), T0.AddSeconds(3));
        return task;
    }

    [TestCase("0123456789ABCDEF0123456789ABCDEF")]
    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("00000000000000000000000000000000")]
    [TestCase("hash")]
    [TestCase("")]
    public void ContentHash_ReadsBackExactlyAsGiven_WhateverItsForm(string hash)
    {
        var task = new ScheduledTask(Guid.NewGuid(), 0, 1, T0, hash, payloadBytes: 1);

        Assert.That((task.ContentHash, task.ToSnapshot().ContentHash), Is.EqualTo((hash, hash)));
    }

    [Test]
    public void Details_OfAnAttempt_SurviveTheTripThroughASnapshot()
    {
        var task = Running();
        task.RecordEstimate(TimeSpan.FromSeconds(4), T0.AddSeconds(2));
        task.RequestPreemption(T0.AddSeconds(3), "outranked");
        task.Pause("page 2", "preempted");

        var restored = ScheduledTask.Restore(task.ToSnapshot());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(restored.Checkpoint, Is.EqualTo("page 2"));
            Assert.That(restored.Preemptions, Is.EqualTo(1));
            Assert.That(restored.Note, Is.EqualTo("preempted"));
            Assert.That(restored.Estimate, Is.Null, "an estimate belongs to the attempt that ended");
            Assert.That(restored.PreemptRequestedAt, Is.Null);
        }
    }

    [Test]
    public void WhatOnlySomeTasksCarry_ReadsBack_AndSurvivesTheTripThroughASnapshot()
    {
        var submitted = new DateTimeOffset(2025, 1, 1, 2, 0, 0, TimeSpan.FromHours(2));
        var dependency = Guid.NewGuid();
        var task = new ScheduledTask(Guid.NewGuid(), 4, 9, submitted, "not hex", 7, [dependency], maxRetries: 3)
        {
            Timeout = TimeSpan.FromMinutes(5),
            Placement = TaskPlacement.Of(T0.AddHours(1), ["gpu"], "team-a"),
            UnfinishedDependencies = 1,
        };

        var restored = ScheduledTask.Restore(task.ToSnapshot());

        foreach (var t in new[] { task, restored })
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(t.SubmittedAt, Is.EqualTo(submitted));
                Assert.That(t.SubmittedAt.Offset, Is.EqualTo(TimeSpan.FromHours(2)), "the offset it came with");
                Assert.That(t.ContentHash, Is.EqualTo("not hex"));
                Assert.That(t.DependsOn, Is.EqualTo(new[] { dependency }));
                Assert.That(t.MaxRetries, Is.EqualTo(3));
                Assert.That(t.Timeout, Is.EqualTo(TimeSpan.FromMinutes(5)));
                Assert.That((t.RunAt, t.Requires, t.Group), Is.EqualTo((T0.AddHours(1), new[] { "gpu" }, "team-a")));
                Assert.That((t.Priority, t.Sequence, t.PayloadBytes), Is.EqualTo((4, 9L, 7)));
            }
        }

        Assert.That(task.UnfinishedDependencies, Is.EqualTo(1));
    }

    [Test]
    public void APlainTask_ReadsBackItsDefaults()
    {
        var task = NewTask();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.SubmittedAt, Is.EqualTo(T0));
            Assert.That(task.DependsOn, Is.Empty);
            Assert.That(task.MaxRetries, Is.Zero);
            Assert.That(task.Timeout, Is.Null);
            Assert.That(task.Placement, Is.Null);
            Assert.That(task.History, Is.Empty);
            Assert.That(task.UnfinishedDependencies, Is.Zero);
            Assert.That(task.Wait, Is.EqualTo(PendingWait.Queued));
        }
    }

    [Test]
    public void NewTask_IsPendingWithNoAttemptYet()
    {
        var task = NewTask();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.State, Is.EqualTo(TaskState.Pending));
            Assert.That(task.Attempt, Is.Zero);
            Assert.That(task.WorkerId, Is.Null);
        }
    }

    [Test]
    public void Assign_StartsNextAttemptOnTheWorker()
    {
        var task = NewTask();
        task.Assign("w1", T0.AddSeconds(5));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.State, Is.EqualTo(TaskState.Running));
            Assert.That(task.Attempt, Is.EqualTo(1));
            Assert.That(task.WorkerId, Is.EqualTo("w1"));
            Assert.That(task.AssignedAt, Is.EqualTo(T0.AddSeconds(5)));
        }
    }

    [Test]
    public void ReturnToPending_KeepsAttemptCount_SoTheNextAssignmentIsAttemptTwo()
    {
        var task = Running("w1");
        task.ReturnToPending("worker w1 left");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.State, Is.EqualTo(TaskState.Pending));
            Assert.That(task.WorkerId, Is.Null);
            Assert.That(task.AssignedAt, Is.Null);
            Assert.That(task.Note, Is.EqualTo("worker w1 left"));
            Assert.That(task.Attempt, Is.EqualTo(1));
        }

        task.Assign("w2", T0.AddSeconds(9));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.Attempt, Is.EqualTo(2));
            Assert.That(task.WorkerId, Is.EqualTo("w2"));
            Assert.That(task.Note, Is.Null);
        }
    }

    [Test]
    public void Finish_Completed_RecordsTimesAndNoError()
    {
        var task = Running();
        task.Finish(TaskOutcome.Completed, "ignored", T0.AddSeconds(2), T0.AddSeconds(4));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.State, Is.EqualTo(TaskState.Completed));
            Assert.That(task.Error, Is.Null);
            Assert.That(task.StartedAt, Is.EqualTo(T0.AddSeconds(2)));
            Assert.That(task.FinishedAt, Is.EqualTo(T0.AddSeconds(4)));
        }
    }

    [Test]
    public void Finish_Failed_KeepsTheErrorText_OrSaysThereWasNone()
    {
        var withError = Running();
        withError.Finish(TaskOutcome.Failed, "disk full", T0, T0.AddSeconds(1));
        var withoutError = Running();
        withoutError.Finish(TaskOutcome.Failed, null, T0, T0.AddSeconds(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withError.State, Is.EqualTo(TaskState.Failed));
            Assert.That(withError.Error, Is.EqualTo("disk full"));
            Assert.That(withoutError.State, Is.EqualTo(TaskState.Failed));
            Assert.That(withoutError.Error, Is.Not.Null.And.Not.Empty);
        }
    }

    [Test]
    public void Finish_Throws_WhenTaskIsPending()
    {
        var task = NewTask();

        Assert.That(() => task.Finish(TaskOutcome.Completed, null, T0, T0), Throws.InvalidOperationException);
        Assert.That(task.State, Is.EqualTo(TaskState.Pending));
    }

    [Test]
    public void Finish_Throws_WhenTaskIsAlreadyFinished()
    {
        var task = Completed();

        Assert.That(() => task.Finish(TaskOutcome.Failed, "again", T0, T0), Throws.InvalidOperationException);
        Assert.That(task.State, Is.EqualTo(TaskState.Completed));
    }

    [Test]
    public void Assign_Throws_WhenTaskIsRunning()
    {
        var task = Running("w1");

        Assert.That(() => task.Assign("w2", T0), Throws.InvalidOperationException);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.WorkerId, Is.EqualTo("w1"));
            Assert.That(task.Attempt, Is.EqualTo(1));
        }
    }

    [Test]
    public void Assign_Throws_WhenTaskIsFinished()
    {
        var task = Completed();

        Assert.That(() => task.Assign("w2", T0), Throws.InvalidOperationException);
    }

    [Test]
    public void ReturnToPending_Throws_WhenTaskIsPending()
    {
        var task = NewTask();

        Assert.That(() => task.ReturnToPending("no reason"), Throws.InvalidOperationException);
    }

    [Test]
    public void ReturnToPending_Throws_WhenTaskIsFinished()
    {
        var task = Completed();

        Assert.That(() => task.ReturnToPending("too late"), Throws.InvalidOperationException);
        Assert.That(task.State, Is.EqualTo(TaskState.Completed));
    }

    [Test]
    public void Restore_RebuildsRunningTaskFromItsSnapshot()
    {
        var original = Running("w7");
        var restored = ScheduledTask.Restore(original.ToSnapshot());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(restored.ToSnapshot(), Is.EqualTo(original.ToSnapshot()));
            Assert.That(restored.State, Is.EqualTo(TaskState.Running));
            Assert.That(restored.Attempt, Is.EqualTo(1));
            Assert.That(restored.WorkerId, Is.EqualTo("w7"));
        }

        Assert.That(() => restored.Finish(TaskOutcome.Completed, null, T0, T0), Throws.Nothing);
    }

    [TestCase(TaskState.Completed)]
    [TestCase(TaskState.Failed)]
    [TestCase(TaskState.Cancelled)]
    public void Restore_Throws_ForFinishedSnapshot(TaskState state)
    {
        var snapshot = Completed().ToSnapshot() with { State = state };

        Assert.That(() => ScheduledTask.Restore(snapshot), Throws.InvalidOperationException);
    }
}
