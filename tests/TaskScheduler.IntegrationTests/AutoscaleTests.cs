using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it starts and stops workers on a timer.
[NonParallelizable]
public class AutoscaleTests
{
    private const int MinWorkers = 1;
    private const int MaxWorkers = 4;

    [Test]
    [CancelAfter(240_000)]
    public async Task UnderABacklog_ThePoolGrowsToTheMaximum_AndShrinksBack_AndEveryTaskCompletesExactlyOnce(CancellationToken ct)
    {
        await using var system = await TestSystem.CreateAsync();
        // Small figures so that one test sees the whole cycle: a backlog is worth 5 s of work per slot, a worker has 2
        // slots, and a lower figure waits 4 s before it is published.
        await system.StartSchedulerAsync(
        [
            $"--Autoscale:MinWorkers={MinWorkers}",
            $"--Autoscale:MaxWorkers={MaxWorkers}",
            "--Autoscale:TargetBacklogTime=00:00:05",
            "--Autoscale:ScaleInCooldown=00:00:04",
            "--Autoscale:Smoothing=00:00:02",
            "--Autoscale:DefaultRunTime=00:00:00.3",
            "--Autoscale:WorkerCapacity=2",
        ]);
        await using var events = await system.RecordEventsAsync();
        var autoscaler = StartAutoscaler(system);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watch = WatchPoolAsync(system, stopWatching.Token);
        try
        {
            await WaitForPoolAsync(system, autoscaler, "the pool to start at the minimum", MinWorkers);

            // 400 tasks of 0.2 to 0.4 s: 120 s of work for the 2 slots of one worker, so the figure hits the maximum.
            var tasks = Tasks.Many(400, _ => 0);
            await system.SubmitAllAsync(tasks);
            await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(2));
            await WaitForPoolAsync(system, autoscaler, "the pool to shrink back to the minimum", MinWorkers);

            var finals = events.Finals();
            var runs = events.Snapshot().Where(e => e.State == TaskState.Running).GroupBy(e => e.TaskId).ToDictionary(g => g.Key, g => g.Count());
            await stopWatching.CancelAsync();
            var peak = await watch;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(peak, Is.EqualTo(MaxWorkers), "most workers the scheduler listed at once");
                Assert.That(tasks.Where(t => finals[t.Id].State != TaskState.Completed), Is.Empty, "tasks not completed");
                Assert.That(tasks.Where(t => runs.GetValueOrDefault(t.Id) != 1), Is.Empty, "tasks not run exactly once");
                Assert.That(finals.Values.Select(f => f.WorkerId).Distinct().Count(), Is.GreaterThan(MinWorkers), "workers that took part");
            }

            foreach (var task in tasks.Take(20))
            {
                var status = await system.GetTaskAsync(task.Id);
                Assert.That(status!.Attempts, Is.EqualTo(1), $"attempts of task {task.Id}");
            }

            // The autoscaler stops as a service manager would stop it: its workers drain and leave.
            autoscaler.Terminate();
            Assert.That(await autoscaler.WaitForExitAsync(TimeSpan.FromSeconds(90)), Is.True, "the autoscaler stops");
            Assert.That(autoscaler.ExitCode, Is.Zero, autoscaler.ReadLog());
            await system.WaitForWorkersAsync();
        }
        finally
        {
            autoscaler.KillTree();
            await DeleteWorkerQueuesAsync(system);
        }
    }

    private static ChildProcess StartAutoscaler(TestSystem system) =>
        system.Start("autoscaler", Repository.Program("Cli", "tasks.dll"),
        [
            "--broker", system.BrokerUrl,
            "--prefix", system.Prefix,
            "--scheduler", system.SchedulerUrl,
            "autoscale",
            "--worker", Repository.Program("Worker", "TaskScheduler.Worker.dll"),
            "--interval", "0.5",
            "--id-prefix", "auto",
            "--logs", system.Directory,
            "--",
            "--Worker:Capacity=2",
            $"--Worker:HeartbeatInterval={system.HeartbeatInterval}",
            "--Worker:MinRunTime=00:00:00.2",
            "--Worker:MaxRunTime=00:00:00.4",
            "--Worker:FailureRate=0",
            "--Worker:DrainTimeout=00:00:30",
        ]);

    /// <summary>Waits until the scheduler lists exactly <paramref name="count"/> workers, all taking work.</summary>
    private static async Task WaitForPoolAsync(TestSystem system, ChildProcess autoscaler, string what, int count) =>
        await Eventually.Returns(
            async () =>
            {
                Assert.That(autoscaler.HasExited, Is.False, $"the autoscaler exited:\n{autoscaler.ReadLog()}");
                return await system.GetWorkersAsync();
            },
            workers => workers.Length == count && workers.All(w => w.Confirmed && !w.Draining),
            TimeSpan.FromSeconds(90),
            what,
            workers => $"[{string.Join(", ", workers.Select(w => w.Id))}]\n{autoscaler.ReadLog()}");

    /// <summary>Follows how many workers the scheduler lists, until stopped; returns the most seen at once.</summary>
    private static async Task<int> WatchPoolAsync(TestSystem system, CancellationToken stop)
    {
        var peak = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var workers = await system.GetWorkersAsync();
                peak = Math.Max(peak, workers.Count(w => w.Confirmed));
                await Task.Delay(100, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        return peak;
    }

    /// <summary>Workers that left cleanly had their queues deleted by the scheduler; a failed run may leave some.</summary>
    private static async Task DeleteWorkerQueuesAsync(TestSystem system)
    {
        await using var channel = await system.Connection.CreateChannelAsync();
        for (var i = 1; i <= 20; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"auto-{i}");
            await channel.QueueDeleteAsync(system.Topology.WorkerQueue(id), ifUnused: false, ifEmpty: false);
            await channel.QueueDeleteAsync(system.Topology.WorkerControlQueue(id), ifUnused: false, ifEmpty: false);
        }
    }
}
