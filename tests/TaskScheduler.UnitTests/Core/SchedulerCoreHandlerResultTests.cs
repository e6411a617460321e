using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

/// <summary>What real handlers send back: results, checkpoints saved while running, progress, and timeouts.</summary>
public class SchedulerCoreHandlerResultTests : SchedulerCoreFixture
{
    [Test]
    public void Finish_KeepsTheResult_AndTheFinalEventCarriesIt_WhenItIsSmall()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.Effects.Clear();

        Assert.That(Core.Finish(Result(id, "w1", 1) with { Result = "42 rows, naïve ✓" }), Is.True);

        var final = Core.Effects.Events.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Changed[id].Result, Is.EqualTo("42 rows, naïve ✓"), "journaled with the task");
            Assert.That(final.Result, Is.EqualTo("42 rows, naïve ✓"));
            Assert.That(final.ResultBytes, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount("42 rows, naïve ✓")));
        }
    }

    [Test]
    public void Finish_LeavesALargeResultOutOfTheEvent_ButSaysHowLargeItIs()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.Effects.Clear();
        var large = new string('r', Limits.MaxEventResultBytes + 1);

        Assert.That(Core.Finish(Result(id, "w1", 1) with { Result = large }), Is.True);

        var final = Core.Effects.Events.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Changed[id].Result, Is.EqualTo(large));
            Assert.That(final.State, Is.EqualTo(TaskState.Completed));
            Assert.That(final.Result, Is.Null);
            Assert.That(final.ResultBytes, Is.EqualTo(Limits.MaxEventResultBytes + 1));
        }
    }

    [Test]
    public void Finish_FailsTheTask_WhenItsResultExceedsTheLimit()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.Effects.Clear();

        Assert.That(Core.Finish(Result(id, "w1", 1) with { Result = new string('x', Limits.MaxResultBytes + 1) }), Is.True);

        var saved = Core.Effects.Changed[id];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.State, Is.EqualTo(TaskState.Failed));
            Assert.That(saved.Result, Is.Null);
            Assert.That(saved.Error, Does.Contain("exceeds the limit of 1048576 bytes"));
        }
    }

    [Test]
    public void Checkpointed_IsJournaled_AndTheNextAttemptStartsFromIt_WhenTheWorkerDies()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.Effects.Clear();

        Assert.That(Core.Checkpointed(new TaskCheckpointed("w1", id, 1, "page 7", Now)), Is.True);
        Assert.That(Core.Effects.Changed[id].Checkpoint, Is.EqualTo("page 7"));

        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Core.CheckLiveness();
        Join("w2", capacity: 1);
        var next = DispatchNow().Single();

        Assert.That((next.TaskId, next.Attempt, next.WorkerId, next.Checkpoint), Is.EqualTo((id, 2, "w2", "page 7")));
    }

    [Test]
    public void Checkpointed_IsFencedOff_FromAnotherWorkerOrAnOldAttempt_OrWhenTooLarge()
    {
        Join("w1", capacity: 1);
        Join("w2", capacity: 1);
        var id = Submit();
        var worker = DispatchNow().Single().WorkerId;
        var other = worker == "w1" ? "w2" : "w1";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Checkpointed(new TaskCheckpointed(other, id, 1, "forged", Now)), Is.False);
            Assert.That(Core.Checkpointed(new TaskCheckpointed(worker, id, 2, "future", Now)), Is.False);
            Assert.That(Core.Checkpointed(new TaskCheckpointed(worker, id, 1, new string('c', Limits.MaxCheckpointBytes + 1), Now)), Is.False);
            Assert.That(Core.Checkpointed(new TaskCheckpointed(worker, Guid.NewGuid(), 1, "unknown task", Now)), Is.False);
            Assert.That(Active(id).Checkpoint, Is.Null);
        }
    }

    [Test]
    public void Preempted_WithoutACheckpoint_KeepsTheOneSavedWhileRunning()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();
        Core.Checkpointed(new TaskCheckpointed("w1", id, 1, "step 3", Now));

        Assert.That(Core.Preempted(new TaskPreempted("w1", id, 1, Checkpoint: null, Now)), Is.True);

        Assert.That(DispatchNow().Single().Checkpoint, Is.EqualTo("step 3"));
    }

    [Test]
    public void Heartbeat_Progress_IsShownWhileRunning_BoundedToSaneValues()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        Core.Dispatch();

        Beat("w1", 1, new RunningTask(id, 1) { Progress = new TaskProgress(7.5, new string('m', 500), Now) });

        var shown = Core.View().Progress[id];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(shown.WorkerId, Is.EqualTo("w1"));
            Assert.That(shown.Progress.Fraction, Is.EqualTo(1.0), "a fraction is clamped to [0, 1]");
            Assert.That(shown.Progress.Message, Has.Length.EqualTo(Limits.MaxProgressMessageLength));
        }

        Beat("w1", 1, new RunningTask(id, 1) { Progress = new TaskProgress(double.NaN, "half", Now) });
        Assert.That(Core.View().Progress[id].Progress.Fraction, Is.Zero);

        Core.Finish(Result(id, "w1", 1));
        Assert.That(Core.View().Progress, Is.Empty, "progress belongs to the running attempt");
    }

    [Test]
    public void Timeout_TravelsFromTheSubmissionToEveryAssignment()
    {
        Join("w1", capacity: 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id) with { Timeout = TimeSpan.FromMinutes(5) });

        var assignment = DispatchNow().Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(assignment.Timeout, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(Core.Effects.Changed[id].Timeout, Is.EqualTo(TimeSpan.FromMinutes(5)));
        }
    }
}
