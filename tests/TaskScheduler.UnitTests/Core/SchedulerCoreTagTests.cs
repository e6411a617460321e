using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

public sealed class SchedulerCoreTagTests : SchedulerCoreFixture
{
    private void JoinTagged(string workerId, int capacity, params string[] tags) =>
        Core.WorkerJoined(new WorkerJoined(workerId, capacity, "host-1", 4242, Now) { Tags = tags });

    private Guid SubmitRequiring(int priority, params string[] tags)
    {
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id, priority) with { Requires = [.. tags.Order(StringComparer.Ordinal)] });
        return id;
    }

    [Test]
    public void TaskRequiringATag_WaitsUntilAWorkerWithItJoins_ThenRunsOnlyThere()
    {
        Join("plain", 4);
        var gpu = SubmitRequiring(0, "gpu");

        Assert.That(DispatchNow(), Is.Empty);
        Assert.That(PendingReasons.Explain(Core.Effects.Changed[gpu], 0, Core.View(), Now), Is.EqualTo("no live worker has tag gpu"));

        JoinTagged("g1", 1, "gpu", "eu-west");
        var assignment = DispatchNow().Single();

        Assert.That((assignment.TaskId, assignment.WorkerId), Is.EqualTo((gpu, "g1")));
    }

    [Test]
    public void TaskRequiringTwoTags_RunsOnlyOnAWorkerWithBoth()
    {
        JoinTagged("gpu-only", 2, "gpu");
        JoinTagged("eu-only", 2, "eu-west");
        var both = SubmitRequiring(0, "gpu", "eu-west");

        Assert.That(DispatchNow(), Is.Empty);
        Assert.That(PendingReasons.Explain(Core.Effects.Changed[both], 0, Core.View(), Now), Is.EqualTo("no live worker has all of the tags eu-west, gpu"));
        JoinTagged("both", 1, "eu-west", "gpu", "ssd");
        Assert.That(DispatchNow().Single().WorkerId, Is.EqualTo("both"));
    }

    [Test]
    public void BlockedTaggedTask_DoesNotHoldBackUntaggedTasksOfLowerPriority()
    {
        Join("plain", 2);
        SubmitRequiring(9, "gpu");
        var low = Submit(priority: 0);

        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { low }));
    }

    [Test]
    public void UntaggedTasks_MayRunOnTaggedWorkers()
    {
        JoinTagged("g1", 2, "gpu");
        var plain = Submit();

        Assert.That(DispatchNow().Single().TaskId, Is.EqualTo(plain));
    }

    [Test]
    public void WorkerTags_ComeWithHeartbeats_SoARestartedSchedulerLearnsThem()
    {
        var gpu = SubmitRequiring(0, "gpu");
        Core.Heartbeat(new WorkerHeartbeat("g1", 1, [], Draining: false, Now) { Tags = ["gpu"] });
        // Known by a heartbeat only, it takes work from its next one (its queues proven by then).
        Clock.Advance(TimeSpan.FromSeconds(1));
        Core.Heartbeat(new WorkerHeartbeat("g1", 1, [], Draining: false, Now) { Tags = ["gpu"] });

        Assert.That(DispatchNow().Single().TaskId, Is.EqualTo(gpu));
        Assert.That(Core.View().Workers.Single().Tags, Is.EqualTo(new[] { "gpu" }));
    }

    [Test]
    public void InvalidWorkerTags_LeaveTheWorkerWithout()
    {
        JoinTagged("w1", 1, "no spaces please");
        SubmitRequiring(0, "no spaces please"[..2]);

        Assert.That(DispatchNow(), Is.Empty);
        Assert.That(Core.Workers["w1"].Tags, Is.Empty);
    }

    [Test]
    public void View_ListsPools_WithTheirQueuedAndRunningTasksAndWorkers()
    {
        JoinTagged("g1", 1, "gpu");
        Join("plain", 1);
        SubmitRequiring(0, "gpu");
        SubmitRequiring(0, "gpu");
        DispatchNow();

        var pools = Core.View().Pools.ToDictionary(p => p.Pool);

        Assert.Multiple(() =>
        {
            Assert.That(pools.Keys, Is.EqualTo(new[] { "default", "gpu" }));
            Assert.That(pools["gpu"], Is.EqualTo(pools["gpu"] with { Pending = 1, Running = 1, Workers = 1, FreeSlots = 0 }));
            Assert.That(pools["default"].Workers, Is.EqualTo(1));
        });
    }

    [Test]
    public void UrgentTaskRequiringATag_PreemptsOnlyOnAWorkerThatHasIt()
    {
        Configure(new PreemptionOptions { PriorityMargin = 1, MinRunTime = TimeSpan.Zero, FinishingWithin = TimeSpan.Zero });
        Join("plain", 1);
        JoinTagged("g1", 1, "gpu");
        var onGpu = SubmitRequiring(1, "gpu");
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var onPlain = Submit(priority: 0);
        DispatchNow();
        Assert.That(Active(onGpu).WorkerId, Is.EqualTo("g1"));
        Assert.That(Active(onPlain).WorkerId, Is.EqualTo("plain"));
        Core.Effects.Clear();

        SubmitRequiring(9, "gpu");
        Core.Dispatch();

        Assert.That(Core.Effects.Preempts.Select(p => p.Order.TaskId), Is.EqualTo(new[] { onGpu }), "the lower-priority task on the plain worker would free a useless slot");
    }
}
