using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// RabbitMQ closes a channel whose delivery stays unacknowledged past consumer_timeout. A worker holds its
/// assignment unacknowledged for as long as the task runs, so a task longer than the timeout must survive that.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it starts its own RabbitMQ node.
[NonParallelizable]
public class ConsumerTimeoutTests
{
    [Test]
    public async Task TaskRunningLongerThanTheBrokersConsumerTimeout_CompletesOnce()
    {
        // A channel checks its deliveries' age on each tick, once a minute by default; tick every 250 ms so that a
        // 2 s timeout bites within a 12 s task, as RabbitMQ's own consumer-timeout tests do.
        await using var broker = await RabbitNode.StartNewAsync(
            TestContext.CurrentContext.WorkDirectory, ["consumer_timeout = 2000"], advancedConfig: "[{rabbit, [{channel_tick_interval, 250}]}].");
        await using var system = await TestSystem.CreateAsync(broker.Url);
        await system.StartSchedulerAsync();
        var worker = system.StartWorker("slow", capacity: 2, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(12), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("slow");
        await using var events = await system.RecordEventsAsync();

        var tasks = Tasks.Many(2, _ => 0);
        await system.SubmitAllAsync(tasks);
        var finals = await system.WaitForFinalStatesAsync(tasks.Select(t => t.Id), TimeSpan.FromMinutes(2));
        var executions = Executions.Read(system.WorkerLogs());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals.Values.Select(f => f.State), Is.EqualTo(new[] { TaskState.Completed, TaskState.Completed }));
            Assert.That(finals.Values.Select(f => f.Attempts), Is.All.EqualTo(1), "the task was never requeued");
            Assert.That(executions.Values, Is.EqualTo(new[] { 1, 1 }), "each task ran exactly once");
            Assert.That(worker.ReadLog(), Does.Contain("consuming again"), "the broker did close the worker's channel on timeout");
            Assert.That(events.Snapshot().Count(e => e.State == TaskState.Completed), Is.EqualTo(2));
        }
    }
}
