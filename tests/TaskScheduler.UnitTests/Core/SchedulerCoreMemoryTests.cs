using TaskScheduler.Contracts.Messages;
using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests;

/// <summary>
/// Nothing the scheduler keeps grows with the tasks it ever processed or the workers it ever saw (issue 14): what
/// stays in memory is bounded by what is unfinished or alive now, or by a fixed size.
/// </summary>
public class SchedulerCoreMemoryTests : SchedulerCoreFixture
{
    [Test]
    public void AThousandWorkersThatCameAndWent_LeaveNoEntryBehind()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = $"w{i}";
            Join(id, capacity: 2);
            Submit();
            Submit();
            foreach (var assignment in DispatchNow())
            {
                Assert.That(Core.Finish(Result(assignment)), Is.True);
            }

            Beat(id, capacity: 2);
            if (i % 2 == 0)
            {
                Core.WorkerLeft(new WorkerLeft(id, [], Now));
            }
            else
            {
                // Killed: silent past the liveness window.
                Clock.Advance(TimeSpan.FromSeconds(4));
                Core.CheckLiveness();
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers, Is.Empty, "departed workers are forgotten");
            Assert.That(Core.ActiveCount, Is.Zero, "finished tasks are not held in memory");
            Assert.That(Core.Counters.Completed, Is.EqualTo(2000));
            Assert.That(Core.View().Workers, Is.Empty, "so the view, the metrics and the dashboard list none of them");
        }
    }

    [Test]
    public void AttemptsAWorkerReported_AreForgotten_OnceItsHeartbeatNoLongerListsThem()
    {
        Join("w1", capacity: 10);
        var reported = new List<Assignment>();
        for (var round = 0; round < 100; round++)
        {
            for (var i = 0; i < 10; i++)
            {
                Submit();
            }

            var assignments = DispatchNow();
            assignments.ForEach(a => Assert.That(Core.Finish(Result(a)), Is.True));
            reported.AddRange(assignments);
        }

        var last = reported[^1];
        Beat("w1", capacity: 10, new RunningTask(last.TaskId, last.Attempt));
        var worker = Core.Workers["w1"];
        var stillListed = worker.HasReportedEnd(last.TaskId, last.Attempt);
        Beat("w1", capacity: 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reported, Has.Count.EqualTo(1000));
            Assert.That(stillListed, Is.True, "an attempt a late heartbeat still names is remembered, so it is not cancelled");
            Assert.That(reported.Where(a => worker.HasReportedEnd(a.TaskId, a.Attempt)), Is.Empty, "and forgotten once no heartbeat names it");
        }
    }

    [Test]
    public void RecentFailures_KeepTheNewestFifty_HoweverManyFail()
    {
        var failures = new RecentFailures();
        for (var i = 0; i < 10_000; i++)
        {
            failures.Add(new FailedTask(Guid.NewGuid(), 0, 1, "w1", $"error {i}", Now));
        }

        var kept = failures.Newest(int.MaxValue);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(kept, Has.Count.EqualTo(RecentFailures.Capacity));
            Assert.That(kept[0].Error, Is.EqualTo("error 9999"));
        }
    }

    [Test]
    public void APendingTask_HoldsUnder160BytesInTheCore_SoAMillionTakeUnder160MB()
    {
        const int count = 100_000;
        const string hash = "0123456789ABCDEF0123456789ABCDEF";
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var core = new SchedulerCore(Liveness, Clock);
        foreach (var id in ids)
        {
            core.Submit(id, priority: 0, hash, payloadBytes: 100, journaled: null);
        }

        var perTask = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(ids);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(core.PendingCount, Is.EqualTo(count));
            Assert.That(perTask, Is.LessThan(160), "bytes a pending task holds (docs/benchmarks.md, target 5)");
        }

        TestContext.Out.WriteLine($"{perTask:0} bytes a pending task");
        GC.KeepAlive(core);
    }
}
