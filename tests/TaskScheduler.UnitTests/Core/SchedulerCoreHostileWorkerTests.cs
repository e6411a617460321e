using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.UnitTests;

/// <summary>Whatever values a worker reports, the core neither throws nor stores more than its bounds allow.</summary>
public class SchedulerCoreHostileWorkerTests : SchedulerCoreFixture
{
    private static readonly PreemptionOptions Preemption = new()
    {
        PriorityMargin = 1,
        MinRunTime = TimeSpan.FromSeconds(1),
        MaxPerTask = 3,
        FinishingWithin = TimeSpan.FromSeconds(5),
    };

    [TestCase(long.MinValue)]
    [TestCase(-1L)]
    public void Heartbeat_WithRemainingFarBelowZero_DoesNotOverflowWhenPreemptionsArePlanned(long remainingTicks)
    {
        Configure(Preemption);
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Beat("w1", capacity: 1, new RunningTask(low, 1) { Remaining = TimeSpan.FromTicks(remainingTicks) });
        Clock.Advance(TimeSpan.FromSeconds(30));
        Submit(priority: 9);

        Assert.That(() => Core.Dispatch(), Throws.Nothing);
        Assert.That(Core.Effects.Preempts, Is.Empty, "a task that says it needs no more time is about to finish");
    }

    [Test]
    public void Heartbeat_WithTheLongestRemainingTime_LeavesTheTaskPreemptable()
    {
        Configure(Preemption);
        Join("w1", capacity: 1);
        var low = Submit(priority: 0);
        DispatchNow();
        Beat("w1", capacity: 1, new RunningTask(low, 1) { Remaining = TimeSpan.MaxValue });
        Clock.Advance(TimeSpan.FromSeconds(30));
        Submit(priority: 9);

        Assert.That(() => Core.Dispatch(), Throws.Nothing);
        Assert.That(Core.Effects.Preempts.Select(p => p.Order.TaskId), Is.EqualTo(new[] { low }));
    }

    [Test]
    public void Heartbeat_NamingAttemptZeroOrBelow_IsNotAnsweredWithACancel()
    {
        Join("w1", capacity: 2);
        var id = Submit();
        DispatchNow();
        Core.Effects.Clear();

        Beat("w1", capacity: 2, new RunningTask(id, 1), new RunningTask(id, 0), new RunningTask(id, int.MinValue));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Cancels, Is.Empty);
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
        }
    }

    [Test]
    public void FailedResult_WithANineMebibyteError_KeepsItsStartOnce_AndSaysItWasTruncated()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        var error = "Traceback: boom " + new string('x', 9 * 1024 * 1024);

        // The error is cut where it enters, as the scheduler reads the worker's message.
        var message = JsonSerializer.SerializeToUtf8Bytes(new TasksFinished("w1", [Result(id, "w1", 1, TaskOutcome.Failed, error)]), WireJson.Default.TasksFinished);
        var read = ((TasksFinished)WorkerEventReader.Read(Topology.WorkerEventKey("w1", Topology.WorkerEvents.Results), message)).Results.Single();

        Assert.That(Core.Finish(read), Is.True);

        var snapshot = Core.Effects.Changed[id];
        var stored = snapshot.Error!.Length + snapshot.History.Sum(h => h.Detail?.Length ?? 0);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error, Does.StartWith("Traceback: boom xxx"));
            Assert.That(snapshot.Error, Does.Contain("truncated").And.Contain("9,437,200 characters"));
            Assert.That(snapshot.Error, Has.Length.LessThanOrEqualTo(Limits.MaxErrorChars));
            Assert.That(stored, Is.LessThan(Limits.MaxErrorChars + 1024), "the error is stored once; its history step carries a short form");
        }
    }

    [Test]
    public void FailedAttempts_ThatAreRetried_StoreEachErrorOnceAndShort()
    {
        Configure(retry: new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        Join("w1", capacity: 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id, maxRetries: 100));
        for (var attempt = 1; attempt <= 100; attempt++)
        {
            DispatchNow();
            Assert.That(Core.Finish(Result(id, "w1", attempt, TaskOutcome.Failed, new string('e', 100_000))), Is.True);
        }

        var snapshot = Core.Effects.Changed[id];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Pending));
            Assert.That(snapshot.History, Has.Count.LessThanOrEqualTo(Limits.HistoryHead + 1 + Limits.HistoryTail));
            Assert.That(snapshot.History.Max(h => h.Detail?.Length ?? 0), Is.LessThanOrEqualTo(Limits.MaxReasonChars));
        }
    }

    [Test]
    public void Result_WithTimesOutOfEveryRange_CompletesWithTimesThatMakeSense()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();

        var result = Result(id, "w1", 1) with { StartedAt = DateTimeOffset.MaxValue, FinishedAt = DateTimeOffset.MinValue };
        Assert.That(Core.Finish(result), Is.True);

        var snapshot = Core.Effects.Changed[id];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Completed));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(Now), "an end a year or more away from the scheduler's clock is taken as now");
            Assert.That(snapshot.StartedAt, Is.LessThanOrEqualTo(Now));
            Assert.That(WorkerReports.RunTime(result), Is.EqualTo(TimeSpan.Zero));
        }
    }

    [Test]
    public void PreemptedReport_WithAnOversizedCheckpoint_PausesTheTask_KeepingTheLastCheckpointSaved()
    {
        Configure(Preemption);
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        Core.Checkpointed(new TaskCheckpointed("w1", id, 1, "page 4", Now));

        Assert.That(Core.Preempted(new TaskPreempted("w1", id, 1, new string('c', Limits.MaxCheckpointBytes + 1), Now)), Is.True);
        Assert.That(Active(id).Checkpoint, Is.EqualTo("page 4"));
        Assert.That(() => DispatchNow(), Throws.Nothing);
    }

    [Test]
    public void Joined_AndHeartbeat_DatedAtTheEndsOfTime_AreTakenWithoutError()
    {
        Assert.That(() =>
        {
            Core.WorkerJoined(new WorkerJoined("w1", 1, "host", 1, DateTimeOffset.MaxValue));
            Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, DateTimeOffset.MinValue));
            Core.WorkerJoined(new WorkerJoined("w1", 1, "host", 1, DateTimeOffset.MinValue));
            Core.CheckLiveness();
            Core.Dispatch();
        }, Throws.Nothing);
        Assert.That(Core.Workers["w1"].LastReportedAt, Is.LessThanOrEqualTo(Now + WorkerReports.MaxClockSkew));
    }

    [Test]
    public void TaskTheJournalCannotStore_Fails_WithItsDependents_AndItsWorkerIsToldToStop()
    {
        Join("w1", capacity: 1);
        var id = Guid.NewGuid();
        var dependent = Guid.NewGuid();
        SubmitGraph(Spec(id), Spec(dependent, dependsOn: [id]));
        DispatchNow();
        Core.Effects.Clear();

        Core.FailUnstorable(id, "too large for the journal");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.FindActive(id), Is.Null);
            Assert.That(Core.Effects.Changed[id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(Core.Effects.Changed[id].Error, Is.EqualTo("too large for the journal"));
            Assert.That(Core.Effects.Changed[id].History, Has.Count.LessThanOrEqualTo(1));
            Assert.That(Core.Effects.Changed[dependent].State, Is.EqualTo(TaskState.Failed));
            Assert.That(Core.Effects.Cancels.Select(c => c.Order.TaskId), Is.EqualTo(new[] { id }));
        }
    }
}
