using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

public class PendingReasonsTests
{
    private FakeTimeProvider _time = null!;
    private SchedulerCore _core = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _core = new SchedulerCore(LivenessOptions.Default, _time);
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

    private void Join(string workerId, int capacity) =>
        _core.WorkerJoined(new WorkerJoined(workerId, capacity, "host-1", 4242, _time.GetUtcNow()));

    private void Submit(int priority)
    {
        var id = Guid.NewGuid();
        var hash = SubmissionParser.ContentHash(id.ToString());
        Assert.That(_core.Submit(id, priority, hash, 36, journaled: null), Is.EqualTo(SubmitOutcome.Accepted));
    }
}
