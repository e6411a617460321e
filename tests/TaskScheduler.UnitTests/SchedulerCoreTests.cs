using System.Text;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

public class SchedulerCoreTests
{
    // A worker silent for more than 3 s is dead; an assignment missing from heartbeats for more than 6 s is lost.
    private static readonly LivenessOptions Liveness = new(TimeSpan.FromSeconds(1), MissedHeartbeats: 3);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private FakeTimeProvider _time = null!;
    private SchedulerCore _core = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _core = new SchedulerCore(Liveness, _time);
    }

    // ---- Submit and dispatch -------------------------------------------------------------------------------------

    [Test]
    public void Submit_QueuesNewTaskAsPending()
    {
        var id = Guid.NewGuid();

        var outcome = _core.Submit(id, priority: 4, SubmissionParser.ContentHash("p"), payloadBytes: 1, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(SubmitOutcome.Accepted));
            Assert.That(_core.PendingCount, Is.EqualTo(1));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Priority, Is.EqualTo(4));
            Assert.That(_core.Counters.Accepted, Is.EqualTo(1));
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
            _core.Effects.Clear();
            Assert.That(_core.Dispatch(), Is.EqualTo(1));
            var assignment = _core.Effects.Assignments.Single();
            order.Add(assignment.TaskId);
            Assert.That(_core.Finish(Result(assignment)), Is.True);
        }

        Assert.That(order, Is.EqualTo(new[] { high, alsoHigh, mid, low }));
    }

    [Test]
    public void Dispatch_RecordsAssignmentWithAttemptPriorityAndWorker()
    {
        var id = Submit(priority: 5);
        Join("w1", capacity: 2);
        _core.Effects.Clear();

        Assert.That(_core.Dispatch(), Is.EqualTo(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 1, 5, "w1", Now) }));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
            Assert.That(_core.Workers["w1"].Holds(id), Is.True);
            Assert.That(_core.PendingCount, Is.Zero);
        }
    }

    [Test]
    public void Dispatch_AssignsNothing_WhenNoWorkerIsRegistered()
    {
        Submit();
        Submit();
        _core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Dispatch(), Is.Zero);
            Assert.That(_core.PendingCount, Is.EqualTo(2));
            Assert.That(_core.Effects.IsEmpty, Is.True);
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

        _core.Effects.Clear();
        Assert.That(_core.Dispatch(), Is.EqualTo(21));
        using (Assert.EnterMultipleScope())
        {
            foreach (var worker in _core.Workers.Values)
            {
                Assert.That(worker.InFlight, Has.Count.EqualTo(worker.Capacity), $"worker {worker.Id} should be full");
            }

            Assert.That(_core.PendingCount, Is.EqualTo(979));
        }

        // Results trickle in one by one; every freed slot is refilled at once.
        var priorities = new List<int>();
        var finished = 0;
        while (_core.Effects.Assignments.Count > 0)
        {
            var batch = _core.Effects.Assignments.ToList();
            _core.Effects.Clear();
            foreach (var assignment in batch)
            {
                priorities.Add(assignment.Priority);
                _time.Advance(TimeSpan.FromMilliseconds(5));
                Assert.That(_core.Finish(Result(assignment)), Is.True);
                finished++;
                AssertNoWorkerOverCapacity();
                _core.Dispatch();
                AssertNoWorkerOverCapacity();
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finished, Is.EqualTo(1000));
            Assert.That(_core.Counters.Completed, Is.EqualTo(1000));
            Assert.That(_core.ActiveCount, Is.Zero);
            Assert.That(_core.PendingCount, Is.Zero);
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

        _core.Effects.Clear();
        _core.Dispatch();

        Assert.That(PerWorker(_core.Effects.Assignments), Is.EquivalentTo(new Dictionary<string, int> { ["w1"] = 2, ["w2"] = 2, ["w3"] = 2 }));
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

        _core.Effects.Clear();
        _core.Dispatch();

        Assert.That(PerWorker(_core.Effects.Assignments), Is.EquivalentTo(new Dictionary<string, int> { ["small"] = 1, ["big"] = 4 }));
    }

    [Test]
    public void Dispatch_RotatesAcrossIdleWorkers_WhenEachTaskFinishesBeforeTheNextArrives()
    {
        Join("w1", capacity: 2);
        Join("w2", capacity: 2);
        Join("w3", capacity: 2);
        _core.Effects.Clear();

        for (var i = 0; i < 9; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Submit();
            _core.Dispatch();
            Assert.That(_core.Finish(Result(_core.Effects.Assignments[^1])), Is.True);
        }

        Assert.That(PerWorker(_core.Effects.Assignments), Is.EquivalentTo(new Dictionary<string, int> { ["w1"] = 3, ["w2"] = 3, ["w3"] = 3 }));
    }

    [Test]
    public void Dispatch_BreaksLoadTie_AgainstTheWorkerThatGotATaskMostRecently()
    {
        Join("x", capacity: 2);
        Join("y", capacity: 2);
        _core.Heartbeat(new WorkerHeartbeat("x", 2, [], Draining: true, Now));

        // y takes two tasks while x drains, and frees a slot at t+3.
        _time.Advance(TimeSpan.FromSeconds(1));
        var y1 = Submit();
        Submit();
        _core.Dispatch();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(_core.Finish(Result(y1, "y", 1)), Is.True);

        // x is back and, being empty, gets the next task at t+5: both are now half loaded.
        _time.Advance(TimeSpan.FromSeconds(2));
        Beat("x", capacity: 2);
        _time.Advance(TimeSpan.FromSeconds(1));
        var a = Submit();
        _core.Dispatch();
        Assert.That(Active(a).WorkerId, Is.EqualTo("x"));

        _time.Advance(TimeSpan.FromSeconds(1));
        var b = Submit();
        _core.Dispatch();

        Assert.That(Active(b).WorkerId, Is.EqualTo("y"), "y has waited since t+3, x only since its assignment at t+5");
    }

    [Test]
    public void Dispatch_SkipsDrainingWorker_UntilItStopsDraining()
    {
        Join("w1", capacity: 2);
        _core.Heartbeat(new WorkerHeartbeat("w1", 2, [], Draining: true, Now));
        var id = Submit();

        Assert.That(_core.Dispatch(), Is.Zero);

        Beat("w1", capacity: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Dispatch(), Is.EqualTo(1));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
        }
    }

    // ---- Liveness ------------------------------------------------------------------------------------------------

    [Test]
    public void CheckLiveness_DeclaresSilentWorkerDead_AndDispatchesItsTasksToOthers()
    {
        Join("w1", capacity: 2);
        var a = Submit(priority: 7);
        var b = Submit(priority: 7);
        _core.Dispatch();
        Join("w2", capacity: 2);
        _core.Effects.Clear();

        // w2 heartbeats every second, w1 is silent: exactly one liveness window of silence is still tolerated.
        for (var second = 1; second <= 3; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Beat("w2", capacity: 2);
            _core.CheckLiveness();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers.ContainsKey("w1"), Is.True);
            Assert.That(Active(a).WorkerId, Is.EqualTo("w1"));
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Beat("w2", capacity: 2);
        _core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers.Keys, Is.EquivalentTo(new[] { "w2" }));
            Assert.That(_core.Effects.RemovedWorkers, Is.EqualTo(new[] { "w1" }));
            Assert.That(_core.Counters.WorkersDeclaredDead, Is.EqualTo(1));
            Assert.That(_core.Counters.Requeued, Is.EqualTo(2));
            foreach (var id in new[] { a, b })
            {
                Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
                Assert.That(Active(id).Priority, Is.EqualTo(7));
                Assert.That(Active(id).WorkerId, Is.Null);
                Assert.That(Active(id).Note, Does.Contain("w1"));
            }

            Assert.That(_core.View().PendingByPriority, Is.EqualTo(new[] { KeyValuePair.Create(7, 2) }));
        }

        _core.Effects.Clear();
        Assert.That(_core.Dispatch(), Is.EqualTo(2));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.Assignments.Select(x => (x.TaskId, x.WorkerId, x.Attempt)), Is.EquivalentTo(new[] { (a, "w2", 2), (b, "w2", 2) }));
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
            _time.Advance(TimeSpan.FromSeconds(2));
            Beat("w1", capacity: 1);
            _core.CheckLiveness();
        }

        Assert.That(_core.Workers.ContainsKey("w1"), Is.True);

        _time.Advance(Liveness.Window);
        _core.CheckLiveness();
        Assert.That(_core.Workers.ContainsKey("w1"), Is.True, "silent for exactly the window: still alive");

        _time.Advance(Tick);
        _core.CheckLiveness();
        Assert.That(_core.Workers.ContainsKey("w1"), Is.False);
    }

    [Test]
    public void CheckLiveness_TreatsAResultAsSignOfLife()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Dispatch();

        _time.Advance(Liveness.Window);
        Assert.That(_core.Finish(Result(id, "w1", 1)), Is.True);
        _time.Advance(TimeSpan.FromSeconds(1));
        _core.CheckLiveness();

        Assert.That(_core.Workers.ContainsKey("w1"), Is.True);
    }

    // ---- Results and fencing -------------------------------------------------------------------------------------

    [Test]
    public void Finish_CompletesTask_AndFreesItsSlot()
    {
        Join("w1", capacity: 1);
        var first = Submit();
        var second = Submit();
        _core.Dispatch();
        _time.Advance(TimeSpan.FromSeconds(2));
        _core.Effects.Clear();

        var accepted = _core.Finish(new TaskFinished("w1", first, 1, TaskOutcome.Completed, null, Now.AddSeconds(-2), Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.True);
            Assert.That(_core.FindActive(first), Is.Null);
            Assert.That(_core.Effects.Changed[first].State, Is.EqualTo(TaskState.Completed));
            Assert.That(_core.Effects.Changed[first].FinishedAt, Is.EqualTo(Now));
            Assert.That(_core.Effects.Events.Single().State, Is.EqualTo(TaskState.Completed));
            Assert.That(_core.Counters.Completed, Is.EqualTo(1));
            Assert.That(_core.Workers["w1"].Completed, Is.EqualTo(1));
            Assert.That(_core.Workers["w1"].InFlight, Is.Empty);
        }

        Assert.That(_core.Dispatch(), Is.EqualTo(1));
        Assert.That(Active(second).WorkerId, Is.EqualTo("w1"));
    }

    [Test]
    public void Finish_RecordsFailureWithItsError()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Dispatch();
        _core.Effects.Clear();

        Assert.That(_core.Finish(Result(id, "w1", 1, TaskOutcome.Failed, "disk full")), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.Changed[id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(_core.Effects.Changed[id].Error, Is.EqualTo("disk full"));
            Assert.That(_core.Effects.Events.Single().Error, Is.EqualTo("disk full"));
            Assert.That(_core.Counters.Failed, Is.EqualTo(1));
            Assert.That(_core.Counters.Completed, Is.Zero);
            Assert.That(_core.Workers["w1"].Failed, Is.EqualTo(1));
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
        _core.Dispatch();
        _core.AssignmentUndeliverable(_core.Effects.Assignments.Single());
        Join("w2", capacity: 1);
        _core.Dispatch();
        Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
        _core.Effects.Clear();
        var requeuedBefore = _core.Counters.Requeued;

        var accepted = _core.Finish(Result(id, workerId, attempt));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.False);
            Assert.That(_core.Counters.FencedResults, Is.EqualTo(1));
            Assert.That(_core.Effects.IsEmpty, Is.True);
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
            Assert.That(Active(id).Attempt, Is.EqualTo(2));
            Assert.That(_core.Workers["w2"].Holds(id), Is.True);
            Assert.That(_core.Counters.Completed, Is.Zero);
            Assert.That(_core.Counters.Requeued, Is.EqualTo(requeuedBefore));
        }
    }

    [Test]
    public void Finish_FencesResult_ForUnknownTask()
    {
        Join("w1", capacity: 1);
        _core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Finish(Result(Guid.NewGuid(), "w1", 1)), Is.False);
            Assert.That(_core.Counters.FencedResults, Is.EqualTo(1));
            Assert.That(_core.Counters.Completed, Is.Zero);
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Finish_FencesResult_ForTaskThatIsPending()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Finish(Result(id, "w1", 0)), Is.False);
            Assert.That(_core.Finish(Result(id, "w1", 1)), Is.False);
            Assert.That(_core.Counters.FencedResults, Is.EqualTo(2));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(_core.PendingCount, Is.EqualTo(1));
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Finish_IgnoresRepeatedResult_AndDoesNotFreeTheSlotTwice()
    {
        Join("w1", capacity: 1);
        var first = Submit();
        var second = Submit();
        var third = Submit();
        _core.Dispatch();
        Assert.That(_core.Finish(Result(first, "w1", 1)), Is.True);
        _core.Dispatch();
        Assert.That(Active(second).WorkerId, Is.EqualTo("w1"));
        _core.Effects.Clear();

        var repeated = _core.Finish(Result(first, "w1", 1, TaskOutcome.Failed, "late duplicate"));
        var dispatched = _core.Dispatch();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(repeated, Is.False);
            Assert.That(dispatched, Is.Zero, "w1 is still busy with the second task");
            Assert.That(_core.Workers["w1"].InFlight, Is.EqualTo(new[] { second }));
            Assert.That(Active(third).State, Is.EqualTo(TaskState.Pending));
            Assert.That(_core.Counters.Completed, Is.EqualTo(1));
            Assert.That(_core.Counters.Failed, Is.Zero);
            Assert.That(_core.Counters.FencedResults, Is.EqualTo(1));
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    // ---- Duplicate and conflicting submissions -------------------------------------------------------------------

    [Test]
    public void Submit_ReturnsDuplicate_ForSameIdPayloadAndPriority()
    {
        var id = Guid.NewGuid();
        var hash = SubmissionParser.ContentHash("resize 42");
        _core.Submit(id, 3, hash, 9, journaled: null);
        _core.Effects.Clear();

        var outcome = _core.Submit(id, 3, hash, 9, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(SubmitOutcome.Duplicate));
            Assert.That(_core.Counters.Duplicates, Is.EqualTo(1));
            Assert.That(_core.Counters.Accepted, Is.EqualTo(1));
            Assert.That(_core.PendingCount, Is.EqualTo(1));
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Submit_ReturnsDuplicate_WhileTheTaskIsRunning()
    {
        var id = Guid.NewGuid();
        var hash = SubmissionParser.ContentHash("resize 42");
        _core.Submit(id, 3, hash, 9, journaled: null);
        Join("w1", capacity: 1);
        _core.Dispatch();
        _core.Effects.Clear();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Submit(id, 3, hash, 9, journaled: null), Is.EqualTo(SubmitOutcome.Duplicate));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(_core.PendingCount, Is.Zero);
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    [TestCase("resize 43", 3, TestName = "Submit_ReturnsConflict_ForSameIdWithOtherPayload")]
    [TestCase("resize 42", 4, TestName = "Submit_ReturnsConflict_ForSameIdWithOtherPriority")]
    public void Submit_ReturnsConflict_ForSameIdWithOtherContent(string payload, int priority)
    {
        var id = Guid.NewGuid();
        _core.Submit(id, 3, SubmissionParser.ContentHash("resize 42"), 9, journaled: null);
        _core.Effects.Clear();

        var outcome = _core.Submit(id, priority, SubmissionParser.ContentHash(payload), 9, journaled: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(SubmitOutcome.Conflict));
            Assert.That(_core.Counters.Rejected, Is.EqualTo(1));
            Assert.That(Active(id).Priority, Is.EqualTo(3));
            Assert.That(Active(id).ContentHash, Is.EqualTo(SubmissionParser.ContentHash("resize 42")));
            Assert.That(_core.PendingCount, Is.EqualTo(1));
            Assert.That(_core.Effects.IsEmpty, Is.True);
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
            Assert.That(_core.Submit(id, 2, hash, 9, journaled), Is.EqualTo(SubmitOutcome.Duplicate));
            Assert.That(_core.Submit(id, 3, hash, 9, journaled), Is.EqualTo(SubmitOutcome.Conflict));
            Assert.That(_core.Submit(id, 2, SubmissionParser.ContentHash("other"), 5, journaled), Is.EqualTo(SubmitOutcome.Conflict));
            Assert.That(_core.ActiveCount, Is.Zero, "a finished task is not run again");
            Assert.That(_core.PendingCount, Is.Zero);
            Assert.That(_core.Counters.Accepted, Is.Zero);
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    // ---- Restore after a scheduler restart -----------------------------------------------------------------------

    [Test]
    public void Restore_RequeuesPendingTasks_InTheirOriginalOrder()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        _core.Restore(
            [Snapshot(c, priority: 1, sequence: 30), Snapshot(a, priority: 1, sequence: 10), Snapshot(b, priority: 5, sequence: 20)],
            lastSequence: 30);
        var submittedAfterRestart = Submit(priority: 1);
        Join("w1", capacity: 1);

        Assert.That(DrainOneByOne(), Is.EqualTo(new[] { b, a, c, submittedAfterRestart }));
    }

    [Test]
    public void Restore_ContinuesSequenceAfterTheJournalsLast()
    {
        var restored = Guid.NewGuid();
        _core.Restore([Snapshot(restored, priority: 0, sequence: 5)], lastSequence: 100);

        var id = Submit();

        Assert.That(Active(id).Sequence, Is.GreaterThan(100));
    }

    [Test]
    public void Restore_KeepsRunningTaskOnUnconfirmedWorker_WhichGetsNoWorkUntilItHeartbeats()
    {
        var running = Guid.NewGuid();
        var pending = Guid.NewGuid();
        _core.Restore(
            [
                Snapshot(running, priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now.AddSeconds(-1)),
                Snapshot(pending, priority: 0, sequence: 2),
            ],
            lastSequence: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers["w1"].Confirmed, Is.False);
            Assert.That(_core.Workers["w1"].Holds(running), Is.True);
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Running));
            Assert.That(_core.Dispatch(), Is.Zero);
            Assert.That(Active(pending).State, Is.EqualTo(TaskState.Pending));
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 2, new RunningTask(running, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.Cancels, Is.Empty);
            Assert.That(_core.Workers["w1"].Confirmed, Is.True);
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(running).Attempt, Is.EqualTo(1));
            Assert.That(_core.Dispatch(), Is.EqualTo(1));
            Assert.That(Active(pending).WorkerId, Is.EqualTo("w1"));
            Assert.That(_core.Workers["w1"].InFlight, Has.Count.EqualTo(2));
        }

        Assert.That(_core.Finish(Result(running, "w1", 1)), Is.True, "the result of the attempt that survived the restart counts");
    }

    [Test]
    public void Restore_RequeuesRunningTask_WhenItsWorkerNeverHeartbeats()
    {
        var running = Guid.NewGuid();
        _core.Restore(
            [Snapshot(running, priority: 6, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now.AddSeconds(-1))],
            lastSequence: 1);
        Join("w2", capacity: 1);

        _time.Advance(Liveness.Window);
        Beat("w2", capacity: 1);
        _core.CheckLiveness();
        Assert.That(Active(running).WorkerId, Is.EqualTo("w1"), "w1 still has its liveness window");

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Beat("w2", capacity: 1);
        _core.CheckLiveness();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers.ContainsKey("w1"), Is.False);
            Assert.That(_core.Effects.RemovedWorkers, Does.Contain("w1"));
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(running).Priority, Is.EqualTo(6));
        }

        _core.Effects.Clear();
        _core.Dispatch();

        Assert.That(_core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(running, 2, 6, "w2", Now) }));
    }

    [Test]
    public void Restore_RequeuesRunningTask_WhenItsWorkerComesBackWithoutIt()
    {
        var running = Guid.NewGuid();
        _core.Restore(
            [Snapshot(running, priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now.AddMinutes(-5))],
            lastSequence: 1);

        Beat("w1", capacity: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(running).State, Is.EqualTo(TaskState.Pending));
            Assert.That(_core.Workers["w1"].InFlight, Is.Empty);
        }
    }

    // ---- Heartbeat reconciliation --------------------------------------------------------------------------------

    [Test]
    public void Heartbeat_KeepsCurrentAttempt_WithoutCancelling()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Dispatch();
        _core.Effects.Clear();

        _time.Advance(TimeSpan.FromMinutes(10));
        Beat("w1", capacity: 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.IsEmpty, Is.True);
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
        }
    }

    [Test]
    public void Heartbeat_CancelsAttempt_ClaimedByAWorkerItWasNotAssignedTo()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Dispatch();
        Join("w2", capacity: 1);
        _core.Effects.Clear();

        Beat("w2", capacity: 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.Cancels.Select(c => (c.WorkerId, c.Order.TaskId, c.Order.Attempt)), Is.EqualTo(new[] { ("w2", id, 1) }));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
        }
    }

    [Test]
    public void Heartbeat_CancelsOldAttempt_AfterTheTaskMovedToAnotherWorker()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Dispatch();
        _core.AssignmentUndeliverable(_core.Effects.Assignments.Single());
        Join("w2", capacity: 1);
        _core.Dispatch();
        _core.Effects.Clear();

        Beat("w1", capacity: 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.Cancels.Select(c => (c.WorkerId, c.Order.TaskId, c.Order.Attempt)), Is.EqualTo(new[] { ("w1", id, 1) }));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
            Assert.That(Active(id).Attempt, Is.EqualTo(2));
        }
    }

    [Test]
    public void Heartbeat_CancelsAttempts_OfFinishedAndUnknownTasks()
    {
        Join("w1", capacity: 2);
        var finished = Submit();
        _core.Dispatch();
        _core.Finish(Result(finished, "w1", 1));
        var unknown = Guid.NewGuid();
        _core.Effects.Clear();

        Beat("w1", capacity: 2, new RunningTask(finished, 1), new RunningTask(unknown, 3));

        Assert.That(
            _core.Effects.Cancels.Select(c => (c.WorkerId, c.Order.TaskId, c.Order.Attempt)),
            Is.EquivalentTo(new[] { ("w1", finished, 1), ("w1", unknown, 3) }));
    }

    [Test]
    public void Heartbeat_ListingOnlyAnOlderAttempt_DoesNotVouchForTheCurrentOne()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Dispatch();
        _core.AssignmentUndeliverable(_core.Effects.Assignments.Single());
        Beat("w1", capacity: 1);
        _core.Dispatch();
        Assert.That(Active(id).Attempt, Is.EqualTo(2), "reassigned to the same worker");
        _core.Effects.Clear();

        // The worker still reports attempt 1, never attempt 2: past the grace period attempt 2 is requeued.
        _time.Advance(Liveness.ReconcileGrace + Tick);
        Beat("w1", 1, new RunningTask(id, 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(_core.Effects.Cancels.Select(c => c.Order.Attempt), Is.EqualTo(new[] { 1 }), "the stale attempt is cancelled");
        }
    }

    [Test]
    public void Heartbeat_RequeuesAssignment_MissingForLongerThanReconcileGrace()
    {
        Join("w1", capacity: 1);
        var id = Submit(priority: 2);
        _core.Dispatch();
        _core.Effects.Clear();

        // Heartbeats keep the worker alive, but none lists the task.
        for (var second = 1; second <= Liveness.ReconcileGrace.TotalSeconds; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Beat("w1", capacity: 1);
            _core.CheckLiveness();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running), "within the grace period the assignment may still be in transit");
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Priority, Is.EqualTo(2));
            Assert.That(Active(id).Note, Does.Contain("w1"));
            Assert.That(_core.Workers["w1"].InFlight, Is.Empty);
            Assert.That(_core.Counters.Requeued, Is.EqualTo(1));
            Assert.That(_core.Effects.Events.Select(e => e.State), Is.EqualTo(new[] { TaskState.Pending }));
        }

        _core.Effects.Clear();
        _core.Dispatch();
        Assert.That(_core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 2, 2, "w1", Now) }));
    }

    [Test]
    public void WorkerJoined_RequeuesTasksHeldByThePreviousProcessOfThatId()
    {
        Join("w1", capacity: 2);
        var a = Submit();
        var b = Submit();
        _core.Dispatch();
        _core.Effects.Clear();

        _time.Advance(TimeSpan.FromSeconds(1));
        Join("w1", capacity: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(a).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(b).State, Is.EqualTo(TaskState.Pending));
            Assert.That(_core.Workers["w1"].InFlight, Is.Empty);
            Assert.That(_core.Counters.Requeued, Is.EqualTo(2));
            Assert.That(_core.Effects.Events.Select(e => (e.TaskId, e.State)), Is.EquivalentTo(new[] { (a, TaskState.Pending), (b, TaskState.Pending) }));
            Assert.That(_core.Effects.RemovedWorkers, Is.Empty, "the worker is back, its queue must stay");
        }

        Assert.That(_core.Dispatch(), Is.EqualTo(2));
        Assert.That(_core.Effects.Assignments.Select(x => x.Attempt), Is.EqualTo(new[] { 2, 2 }));
    }

    [Test]
    public void WorkerLeft_RequeuesItsTasks_AndListsItAsRemoved()
    {
        Join("w1", capacity: 1);
        var id = Submit(priority: 3);
        _core.Dispatch();
        Join("w2", capacity: 1);
        _core.Effects.Clear();

        _core.WorkerLeft(new WorkerLeft("w1", [new RunningTask(id, 1)], Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers.Keys, Is.EquivalentTo(new[] { "w2" }));
            Assert.That(_core.Effects.RemovedWorkers, Is.EqualTo(new[] { "w1" }));
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Priority, Is.EqualTo(3));
        }

        _core.Dispatch();
        Assert.That(_core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 2, 3, "w2", Now) }));
    }

    [Test]
    public void WorkerLeft_ForUnknownWorker_ChangesNothing()
    {
        Join("w1", capacity: 1);
        _core.Effects.Clear();

        _core.WorkerLeft(new WorkerLeft("ghost", [], Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.IsEmpty, Is.True);
            Assert.That(_core.Workers.Keys, Is.EquivalentTo(new[] { "w1" }));
        }
    }

    [Test]
    public void AssignmentUndeliverable_RequeuesTask_AndStopsDispatchingToWorker_UntilItHeartbeats()
    {
        Join("w1", capacity: 2);
        var id = Submit();
        _core.Dispatch();
        var assignment = _core.Effects.Assignments.Single();
        _core.Effects.Clear();

        _core.AssignmentUndeliverable(assignment);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Active(id).Note, Does.Contain("w1"));
            Assert.That(_core.Workers["w1"].Confirmed, Is.False);
            Assert.That(_core.Workers["w1"].InFlight, Is.Empty);
            Assert.That(_core.Dispatch(), Is.Zero, "w1's queue is gone; sending it more work is pointless");
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 2);

        Assert.That(_core.Dispatch(), Is.EqualTo(1));
        Assert.That(_core.Effects.Assignments, Is.EqualTo(new[] { new Assignment(id, 2, 0, "w1", Now) }));
    }

    [Test]
    public void AssignmentUndeliverable_ForSupersededAttempt_LeavesTheCurrentAttemptRunning()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        _core.Dispatch();
        var stale = _core.Effects.Assignments.Single();
        _core.AssignmentUndeliverable(stale);
        Join("w2", capacity: 1);
        _core.Dispatch();
        _core.Effects.Clear();

        _core.AssignmentUndeliverable(stale);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w2"));
            Assert.That(Active(id).Attempt, Is.EqualTo(2));
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    // ---- Effects -------------------------------------------------------------------------------------------------

    [Test]
    public void Effects_RecordSnapshotAndEvent_ForEveryTransition()
    {
        var id = Submit(priority: 3);
        Join("w1", capacity: 1);
        _core.Dispatch();
        Join("w2", capacity: 1);
        _core.WorkerLeft(new WorkerLeft("w1", [], Now));
        _core.Dispatch();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(_core.Finish(Result(id, "w2", 2, TaskOutcome.Failed, "boom")), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                _core.Effects.Events.Select(e => (e.TaskId, e.State, e.Attempt, e.WorkerId, e.Priority)),
                Is.EqualTo(new[]
                {
                    (id, TaskState.Pending, 0, (string?)null, 3),
                    (id, TaskState.Running, 1, "w1", 3),
                    (id, TaskState.Pending, 1, null, 3),
                    (id, TaskState.Running, 2, "w2", 3),
                    (id, TaskState.Failed, 2, "w2", 3),
                }));
            Assert.That(_core.Effects.Events[^1].At, Is.EqualTo(Now));
            Assert.That(_core.Effects.Changed.Keys, Is.EqualTo(new[] { id }));
            Assert.That(_core.Effects.Changed[id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(_core.Effects.Changed[id].Attempts, Is.EqualTo(2));
            Assert.That(_core.Effects.Changed[id].Error, Is.EqualTo("boom"));
            Assert.That(_core.Effects.Assignments.Select(a => (a.WorkerId, a.Attempt)), Is.EqualTo(new[] { ("w1", 1), ("w2", 2) }));
            Assert.That(_core.Effects.RemovedWorkers, Is.EqualTo(new[] { "w1" }));
        }
    }

    [Test]
    public void Effects_JournalEachChangedTaskOnce_WithItsLatestState()
    {
        Join("w1", capacity: 5);
        var ids = Enumerable.Range(0, 5).Select(_ => Submit()).ToList();
        _core.Dispatch();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Effects.Changed.Keys, Is.EquivalentTo(ids));
            Assert.That(_core.Effects.Changed.Values.Select(s => s.State), Is.All.EqualTo(TaskState.Running));
            Assert.That(_core.Effects.Events, Has.Count.EqualTo(10));
        }
    }

    // ---- Implausible worker messages -----------------------------------------------------------------------------

    private static IEnumerable<TestCaseData> ImplausibleWorkers()
    {
        yield return new TestCaseData("w1", 0).SetName("{m}_WithCapacityZero");
        yield return new TestCaseData("w1", 11).SetName("{m}_WithCapacityEleven");
        yield return new TestCaseData("w1", -1).SetName("{m}_WithNegativeCapacity");
        yield return new TestCaseData("", 1).SetName("{m}_WithEmptyId");
        yield return new TestCaseData("w 1", 1).SetName("{m}_WithSpaceInId");
        yield return new TestCaseData("w1.#", 1).SetName("{m}_WithRoutingCharactersInId");
        yield return new TestCaseData("wörker", 1).SetName("{m}_WithNonAsciiId");
        yield return new TestCaseData(new string('w', 65), 1).SetName("{m}_WithIdOf65Characters");
    }

    [TestCaseSource(nameof(ImplausibleWorkers))]
    public void Heartbeat_IsIgnored(string workerId, int capacity)
    {
        Submit();

        _core.Heartbeat(new WorkerHeartbeat(workerId, capacity, [], Draining: false, Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers, Is.Empty);
            Assert.That(_core.Counters.IgnoredWorkerMessages, Is.EqualTo(1));
            Assert.That(_core.Dispatch(), Is.Zero);
        }
    }

    [TestCaseSource(nameof(ImplausibleWorkers))]
    public void WorkerJoined_IsIgnored(string workerId, int capacity)
    {
        Submit();

        _core.WorkerJoined(new WorkerJoined(workerId, capacity, "host", 1, Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers, Is.Empty);
            Assert.That(_core.Counters.IgnoredWorkerMessages, Is.EqualTo(1));
            Assert.That(_core.Dispatch(), Is.Zero);
        }
    }

    [Test]
    public void Heartbeat_WithImplausibleCapacity_LeavesKnownWorkerAsItWas()
    {
        Join("w1", capacity: 2);
        var id = Submit();
        _core.Dispatch();
        _core.Effects.Clear();

        _core.Heartbeat(new WorkerHeartbeat("w1", 11, [], Draining: false, Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Workers["w1"].Capacity, Is.EqualTo(2));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
            Assert.That(_core.Counters.IgnoredWorkerMessages, Is.EqualTo(1));
            Assert.That(_core.Effects.IsEmpty, Is.True);
        }
    }

    [TestCase(1)]
    [TestCase(10)]
    public void Heartbeat_RegistersWorker_AtTheLimits(int capacity)
    {
        var longestId = "a-" + new string('b', 60) + "_9";
        Assert.That(longestId, Has.Length.EqualTo(Limits.MaxWorkerIdLength));

        Beat(longestId, capacity);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_core.Counters.IgnoredWorkerMessages, Is.Zero);
            Assert.That(_core.Workers[longestId].Capacity, Is.EqualTo(capacity));
            Assert.That(_core.Workers[longestId].Confirmed, Is.True);
        }
    }

    // ---- View ----------------------------------------------------------------------------------------------------

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
        _core.Dispatch();

        var view = _core.View();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(view.Running, Is.EqualTo(4));
            Assert.That(view.Pending, Is.EqualTo(2));
            Assert.That(view.PendingByPriority, Is.EqualTo(new[] { KeyValuePair.Create(1, 1), KeyValuePair.Create(0, 1) }));
            Assert.That(view.Workers.Select(w => (w.Id, w.Capacity, w.InFlight)), Is.EqualTo(new[] { ("w1", 3, 3), ("w2", 1, 1) }));
            Assert.That(view.FreeSlots, Is.Zero);
        }
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private Guid Submit(int priority = 0)
    {
        var id = Guid.NewGuid();
        var payload = $"job {id}";
        var outcome = _core.Submit(id, priority, SubmissionParser.ContentHash(payload), Encoding.UTF8.GetByteCount(payload), journaled: null);
        Assert.That(outcome, Is.EqualTo(SubmitOutcome.Accepted));
        return id;
    }

    private void Join(string workerId, int capacity) =>
        _core.WorkerJoined(new WorkerJoined(workerId, capacity, "host-1", 4242, Now));

    private void Beat(string workerId, int capacity, params RunningTask[] running) =>
        _core.Heartbeat(new WorkerHeartbeat(workerId, capacity, running, Draining: false, Now));

    private ScheduledTask Active(Guid id) =>
        _core.FindActive(id) ?? throw new AssertionException($"task {id} is not active");

    private TaskFinished Result(Guid id, string workerId, int attempt, TaskOutcome outcome = TaskOutcome.Completed, string? error = null) =>
        new(workerId, id, attempt, outcome, error, Now, Now);

    private TaskFinished Result(Assignment assignment) => Result(assignment.TaskId, assignment.WorkerId, assignment.Attempt);

    private List<Guid> DrainOneByOne()
    {
        var order = new List<Guid>();
        while (_core.PendingCount > 0)
        {
            _core.Effects.Clear();
            Assert.That(_core.Dispatch(), Is.EqualTo(1));
            var assignment = _core.Effects.Assignments.Single();
            order.Add(assignment.TaskId);
            Assert.That(_core.Finish(Result(assignment)), Is.True);
        }

        return order;
    }

    private void AssertNoWorkerOverCapacity()
    {
        var over = _core.Workers.Values.Where(w => w.InFlight.Count > w.Capacity).Select(w => $"{w.Id} {w.InFlight.Count}/{w.Capacity}");
        Assert.That(over, Is.Empty);
    }

    private static Dictionary<string, int> PerWorker(IEnumerable<Assignment> assignments) =>
        assignments.GroupBy(a => a.WorkerId).ToDictionary(g => g.Key, g => g.Count());

    private TaskSnapshot Snapshot(
        Guid id,
        int priority,
        long sequence,
        TaskState state = TaskState.Pending,
        int attempts = 0,
        string? workerId = null,
        DateTimeOffset? assignedAt = null,
        string? contentHash = null) =>
        new(id, priority, sequence, state, attempts, workerId, Now.AddHours(-1), assignedAt, null,
            state.IsFinal() ? Now.AddMinutes(-1) : null, null, null, contentHash ?? SubmissionParser.ContentHash($"job {id}"), 10);
}
