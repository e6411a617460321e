using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The scheduler itself stops (kill -STOP: a long GC, a VM pause, a stalled disk) for longer than the liveness window
/// while workers run long tasks: liveness measures the workers, so none is declared dead and nothing runs twice.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it freezes the scheduler against the liveness window.
[NonParallelizable]
public class SchedulerFreezeTests
{
    /// <summary>Four liveness windows of the test system (8 heartbeats of 250 ms).</summary>
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(8);

    [Test]
    public async Task SchedulerFrozenLongerThanTheLivenessWindow_DeclaresNoWorkerDead_AndRunsNoAttemptTwice()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var scheduler = system.Scheduler!;
        system.StartWorker("w1", capacity: 2, TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(14), extraArgs: Executions.LogArgs);
        system.StartWorker("w2", capacity: 2, TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(14), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1", "w2");
        await using var events = await system.RecordEventsAsync();
        var tasks = Tasks.Many(4, _ => 0);
        await system.SubmitAllAsync(tasks);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Running) >= 4, TimeSpan.FromSeconds(60), "all four tasks to run");

        scheduler.Pause();
        // Not a wait for something: the freeze lasts longer than the liveness window, and the test asserts what follows.
        await Task.Delay(Freeze);
        scheduler.Resume();

        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(2));
        var finals = events.Finals();
        var counters = await system.GetCountersAsync();
        var executions = Executions.Read(system.WorkerLogs());
        var workers = await system.GetWorkersAsync();
        await TestContext.Out.WriteLineAsync(
            $"freeze of {Freeze.TotalSeconds} s: workers declared dead {counters.GetProperty("workersDeclaredDead")}, " +
            $"requeues {counters.GetProperty("requeued")}, executions {executions.Values.Sum()}, " +
            $"final attempts {string.Join(",", tasks.Select(t => finals[t.Id].Attempt))}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counters.GetProperty("workersDeclaredDead").GetInt64(), Is.Zero, "no worker declared dead");
            Assert.That(counters.GetProperty("requeued").GetInt64(), Is.Zero, "no task requeued");
            Assert.That(tasks.Select(t => (finals[t.Id].State, finals[t.Id].Attempt)), Is.All.EqualTo((TaskState.Completed, 1)),
                "every task completes on its first attempt");
            Assert.That(executions.Keys.Select(k => k.Attempt), Is.All.EqualTo(1), "no second attempt was started");
            Assert.That(executions.Values, Is.All.EqualTo(1), "no attempt executed twice");
            Assert.That(executions, Has.Count.EqualTo(tasks.Count));
            Assert.That(workers.Select(w => w.Id), Is.EquivalentTo(new[] { "w1", "w2" }));
            Assert.That(scheduler.HasExited, Is.False, "the same scheduler process ran throughout");
        }
    }

    [Test]
    public async Task WorkerKilledWhileTheSchedulerIsFrozen_IsStillDeclaredDead_AndItsTasksRunElsewhere()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var scheduler = system.Scheduler!;
        var victim = system.StartWorker("victim", capacity: 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("victim");
        await using var events = await system.RecordEventsAsync();
        var tasks = Tasks.Many(2, _ => 0);
        await system.SubmitAllAsync(tasks);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Running) >= 2, TimeSpan.FromSeconds(60), "both tasks to run");
        system.StartWorker("survivor", capacity: 2, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("victim", "survivor");

        scheduler.Pause();
        victim.Kill9();
        // Not a wait for something: the freeze lasts longer than the liveness window, and the test asserts what follows.
        await Task.Delay(Freeze);
        scheduler.Resume();

        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(2));
        var finals = events.Finals();
        var counters = await system.GetCountersAsync();
        var executions = Executions.Read(system.WorkerLogs());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counters.GetProperty("workersDeclaredDead").GetInt64(), Is.EqualTo(1), "the dead worker, and only it");
            Assert.That(tasks.Select(t => (finals[t.Id].State, finals[t.Id].Attempt, finals[t.Id].WorkerId)),
                Is.All.EqualTo((TaskState.Completed, 2, "survivor")));
            Assert.That(executions.Values, Is.All.EqualTo(1), "no attempt executed twice");
            Assert.That((await system.GetWorkersAsync()).Select(w => w.Id), Is.EqualTo(new[] { "survivor" }));
        }
    }
}
