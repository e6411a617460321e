using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// A disk alarm on the broker blocks every publisher, workers' heartbeats included: that silence is the broker's,
/// so no worker is declared dead, and the tasks running meanwhile complete once each.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it starts its own RabbitMQ node and raises its disk alarm.
[NonParallelizable]
public class BrokerAlarmTests
{
    [Test]
    public async Task DiskAlarmLongerThanTheLivenessWindow_DeclaresNoWorkerDead_AndRunsNoAttemptTwice()
    {
        await using var broker = await RabbitNode.StartNewAsync(TestContext.CurrentContext.WorkDirectory);
        await using var system = await TestSystem.CreateAsync(broker.Url);
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), extraArgs: Executions.LogArgs);
        system.StartWorker("w2", capacity: 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1", "w2");
        await using var events = await system.RecordEventsDurablyAsync();
        var tasks = Tasks.Many(12, _ => 0);
        await system.SubmitAllAsync(tasks);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Running) >= 4, TimeSpan.FromSeconds(60), "four tasks to run");

        await TestContext.Out.WriteLineAsync($"{DateTime.UtcNow:HH:mm:ss.fff} disk alarm raised");
        try
        {
            // Far more than any disk holds: the node raises its disk alarm and blocks every publisher.
            await broker.CtlOrFailAsync("set_disk_free_limit", "1000000GB");
            // Not a wait for something: the alarm lasts three liveness windows, and the test asserts what does not happen.
            await Task.Delay(TimeSpan.FromSeconds(6));
        }
        finally
        {
            // As RabbitNode configures it; always restored, or the node stays blocked.
            await broker.CtlAsync("set_disk_free_limit", "50MB");
            await TestContext.Out.WriteLineAsync($"{DateTime.UtcNow:HH:mm:ss.fff} disk alarm cleared");
        }

        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(2));
        var finals = events.Finals();
        var counters = await system.GetCountersAsync();
        var executions = Executions.Read(system.WorkerLogs());
        await TestContext.Out.WriteLineAsync(
            $"disk alarm of 6 s: workers declared dead {counters.GetProperty("workersDeclaredDead")}, requeues {counters.GetProperty("requeued")}, " +
            $"executions {executions.Values.Sum()}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counters.GetProperty("workersDeclaredDead").GetInt64(), Is.Zero, "no worker declared dead");
            Assert.That(tasks.Select(t => (finals[t.Id].State, finals[t.Id].Attempt)), Is.All.EqualTo((TaskState.Completed, 1)));
            Assert.That(executions.Values, Is.All.EqualTo(1), "no attempt executed twice");
            Assert.That(system.Scheduler!.HasExited, Is.False);
        }
    }
}
