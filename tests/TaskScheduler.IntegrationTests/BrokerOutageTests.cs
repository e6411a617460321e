using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>The broker itself goes away and comes back: nothing accepted is lost, and everyone reconnects.</summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it starts its own RabbitMQ node and kills it.
[NonParallelizable]
public class BrokerOutageTests
{
    [Test]
    public async Task BrokerCrashAndRestart_LosesNoAcceptedTask_AndSchedulerAndWorkersCarryOn()
    {
        await using var broker = await RabbitNode.StartNewAsync(TestContext.CurrentContext.WorkDirectory);
        await using var system = await TestSystem.CreateAsync(broker.Url);
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), extraArgs: Executions.LogArgs);
        system.StartWorker("w2", capacity: 4, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1", "w2");
        await using var events = await system.RecordEventsDurablyAsync();

        var before = Tasks.Many(300, i => i % 3);
        await system.SubmitAllAsync(before);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Completed) >= 30, TimeSpan.FromSeconds(60), "30 completions");

        await broker.Kill9Async();
        var whileDown = await CliRun.RunAsync(system, null, "submit", "while the broker is down");
        await broker.StartAsync();

        // The same connections come back on their own; the scheduler and workers were never restarted.
        await system.WaitForWorkersAsync("w1", "w2");
        await system.WaitForBrokerConnectionAsync();
        var after = Tasks.Many(100, i => i % 3);
        await system.SubmitAllAsync(after);

        var all = before.Concat(after).Select(t => t.Id).ToList();
        var finals = await system.WaitForFinalStatesAsync(all, TimeSpan.FromMinutes(3));
        var executions = Executions.Read([.. system.WorkerLogs()]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(whileDown.ExitCode, Is.EqualTo(3), $"tasks submit fails as 'broker unreachable': {whileDown.Error}");
            Assert.That(whileDown.Error, Does.Contain("broker").IgnoreCase);
            Assert.That(all.Where(id => !finals.ContainsKey(id)), Is.Empty, "no accepted task is lost");
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(executions.Where(e => e.Value > 1).Select(e => e.Key), Is.Empty, "no attempt ran twice");
            Assert.That(system.Scheduler!.HasExited, Is.False, "the scheduler rode out the outage");
        }
    }
}
