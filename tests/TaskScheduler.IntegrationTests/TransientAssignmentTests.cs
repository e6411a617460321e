using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Assignments are transient messages (the journal holds them, heartbeats reconcile them): a broker crash loses those
/// still in a worker's queue, and the scheduler finds them missing from that worker's heartbeats and requeues them.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it starts its own RabbitMQ node.
[NonParallelizable]
public class TransientAssignmentTests
{
    [Test]
    public async Task BrokerKilledWithAssignmentsInWorkerQueues_EveryTaskStillCompletesExactlyOnce()
    {
        await using var broker = await RabbitNode.StartNewAsync(TestContext.CurrentContext.WorkDirectory);
        // A liveness window of 10 s: the silent worker's assignments stay its own well beyond the broker's restart,
        // so they are lost with the broker rather than requeued before it dies.
        await using var system = await TestSystem.CreateAsync(broker.Url);
        system.MissedHeartbeats = 40;
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1");
        await using var silent = await SilentWorker.StartAsync(system, "silent", capacity: 10);
        await system.WaitForWorkersAsync("w1", "silent");

        var tasks = Tasks.Many(200, i => i % 3);
        await system.SubmitAllAsync(tasks);
        await WaitUntilAsync(async () => (await system.GetWorkersAsync()).Any(w => w.Id == "silent" && w.InFlight == silent.Capacity),
            "the silent worker holds 10 assignments");
        var queued = await system.CountMessagesAsync(system.Topology.WorkerQueue("silent"));
        var held = (await Task.WhenAll(tasks.Select(t => system.GetTaskAsync(t.Id))))
            .Where(s => s is { State: TaskState.Running, WorkerId: "silent" }).Select(s => s!.Id).ToList();

        await broker.Kill9Async();
        silent.Draining = true;
        await broker.StartAsync();
        await system.WaitForBrokerConnectionAsync();
        var queuedAfter = await system.CountMessagesAsync(system.Topology.WorkerQueue("silent"));

        var finals = await system.WaitForFinalStatesAsync(tasks.Select(t => t.Id), TimeSpan.FromMinutes(3));
        var executions = Executions.Read([.. system.WorkerLogs()]);
        var perTask = executions.GroupBy(e => e.Key.TaskId).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        var heldHistories = await Task.WhenAll(held.Select(id => system.GetHistoryAsync(id)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(queued, Is.GreaterThan(0), "the silent worker's assignments waited in its queue when the broker died");
            Assert.That(held, Has.Count.EqualTo(silent.Capacity), "the journal had 10 tasks running on the silent worker");
            Assert.That(queuedAfter, Is.Zero, "the broker lost them: assignments are transient");
            Assert.That(tasks.Where(t => !finals.ContainsKey(t.Id)).Select(t => t.Id), Is.Empty, "no accepted task is lost");
            Assert.That(finals.Values.Where(f => f.State != TaskState.Completed).Select(f => $"{f.Id} {f.State}"), Is.Empty);
            Assert.That(tasks.Where(t => perTask.GetValueOrDefault(t.Id) != 1).Select(t => $"{t.Id} ran {perTask.GetValueOrDefault(t.Id)} times"),
                Is.Empty, "every task ran exactly once");
            Assert.That(heldHistories.Select(h => h!.Any(e => e.Event == TaskHistoryEvents.Requeued && e.Detail!.Contains("no longer reports attempt 1", StringComparison.Ordinal))),
                Is.All.True, "each lost assignment was found missing from the silent worker's heartbeats and requeued");
            Assert.That(finals.Values.Where(f => held.Contains(f.Id)).Select(f => f.WorkerId), Is.All.EqualTo("w1"));
            Assert.That(system.Scheduler!.HasExited, Is.False, "the scheduler rode out the outage");
        }
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Eventually.That(condition, TimeSpan.FromSeconds(60), what);
}
