using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

public class PendingReasonsTests
{
    private FakeTimeProvider _time = null!;
    private RecordingCore _core = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _core = new RecordingCore(new SchedulerCore(LivenessOptions.Default, _time));
    }

    [Test]
    public void Explain_SaysNoWorkerIsRegistered_WhenThereAreNone()
    {
        Submit(priority: 0);

        Assert.That(PendingReasons.Explain(0, null, _core.View()), Does.StartWith("no worker registered"));
    }

    [Test]
    public void Explain_SaysNoWorkerIsRegistered_WhenTheOnlyWorkerIsDraining()
    {
        _core.Heartbeat(new WorkerHeartbeat("w1", 2, [], Draining: true, _time.GetUtcNow()));
        Submit(priority: 0);

        Assert.That(PendingReasons.Explain(0, null, _core.View()), Does.StartWith("no worker registered"));
    }

    [Test]
    public void Explain_SaysEverySlotIsBusy_AndCountsHigherPriorityTasksAhead()
    {
        Join("w1", capacity: 1);
        Submit(priority: 9);
        _core.Dispatch();
        Submit(priority: 5);
        Submit(priority: 5);
        Submit(priority: 3);
        Submit(priority: 1);
        Submit(priority: 1);

        var reason = PendingReasons.Explain(1, null, _core.View());

        Assert.That(reason, Does.Contain("busy").And.Contain("3 pending tasks of higher priority"));
    }

    [Test]
    public void Explain_CountsNoTasksAhead_ForTheHighestPriority()
    {
        Join("w1", capacity: 1);
        Submit(priority: 0);
        _core.Dispatch();
        Submit(priority: 7);
        Submit(priority: 2);

        Assert.That(PendingReasons.Explain(7, null, _core.View()), Does.Contain("busy").And.Contain(" 0 pending tasks of higher priority"));
    }

    [Test]
    public void Explain_SaysQueued_WhenSlotsAreFreeButDispatchHasNotRunYet()
    {
        Join("w1", capacity: 2);
        Submit(priority: 4);
        Submit(priority: 2);

        var reason = PendingReasons.Explain(2, null, _core.View());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Does.StartWith("queued").And.Contain("1 pending tasks of higher priority"));
            Assert.That(reason, Does.Not.Contain("busy"));
        }
    }

    [Test]
    public void Explain_AddsWhyTheTaskWentBackToPending()
    {
        Join("w1", capacity: 1);
        Submit(priority: 0);
        _core.Dispatch();

        var reason = PendingReasons.Explain(0, "worker w9 missed 3 heartbeats", _core.View());

        Assert.That(reason, Does.EndWith("(worker w9 missed 3 heartbeats)").And.Contain("busy"));
    }

    [Test]
    public void Explain_SaysHowManyDependenciesAreUnfinished_FirstOfAll()
    {
        var task = Task() with { DependsOn = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()] };

        Assert.That(PendingReasons.Explain(task, 2, _core.View(), _time.GetUtcNow()),
            Is.EqualTo("waiting on dependencies: 2 of 3 not completed yet"));
    }

    [Test]
    public void Explain_SaysUntilWhenARetryBacksOff_AndWhyItIsRetried()
    {
        var due = _time.GetUtcNow().AddSeconds(30);
        var task = Task() with { Wait = PendingWait.RetryBackoff, RetryAt = due, Retries = 1, MaxRetries = 3, Error = "disk full" };

        var reason = PendingReasons.Explain(task, 0, _core.View(), _time.GetUtcNow());

        Assert.That(reason, Does.StartWith($"retry backoff until {due:O}").And.Contain("retry 1 of 3").And.Contain("disk full"));
    }

    [Test]
    public void Explain_ForARetryWhoseBackoffIsOver_SaysWhatHoldsUpTheQueue()
    {
        var task = Task() with { Wait = PendingWait.RetryBackoff, RetryAt = _time.GetUtcNow().AddSeconds(-1), Retries = 1, MaxRetries = 3 };

        Assert.That(PendingReasons.Explain(task, 0, _core.View(), _time.GetUtcNow()), Does.StartWith("no worker registered"));
    }

    [Test]
    public void Explain_SaysAPreemptedTaskWaitsToResume_FromItsProgress()
    {
        Join("w1", capacity: 1);
        Submit(priority: 9);
        _core.Dispatch();
        var task = Task() with { Wait = PendingWait.Preempted, Checkpoint = "page 3", Note = "preempted on worker w1 for task X of priority 9" };

        var reason = PendingReasons.Explain(task, 0, _core.View(), _time.GetUtcNow());

        Assert.That(reason, Is.EqualTo(
            "preempted on worker w1 for task X of priority 9; waiting to resume from its checkpoint; " +
            "every worker slot is busy; 0 pending tasks of higher priority go first"));
    }

    private TaskSnapshot Task() =>
        new(Guid.NewGuid(), 0, 1, Contracts.TaskState.Pending, 0, null, _time.GetUtcNow(), null, null, null, null, null, "h", 1);

    private void Join(string workerId, int capacity) =>
        _core.WorkerJoined(new WorkerJoined(workerId, capacity, "host-1", 4242, _time.GetUtcNow()));

    private void Submit(int priority)
    {
        var id = Guid.NewGuid();
        var hash = SubmissionParser.ContentHash(id.ToString());
        Assert.That(_core.Submit(id, priority, hash, 36, journaled: null), Is.EqualTo(SubmitOutcome.Accepted));
    }
}
