using System.Net;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>The broker cancels the scheduler's consumers (their queues are deleted): it says so, and consumes again.</summary>
[TestFixture]
[Category("integration")]
public class ConsumerRecoveryTests
{
    [Test]
    public async Task Scheduler_WhoseQueuesAreDeleted_SaysSo_ConsumesAgain_AndKeepsWorking()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4);
        await system.WaitForWorkersAsync("w1");
        await using var events = await system.RecordEventsAsync();
        var before = Tasks.Many(10, _ => 0);
        await system.SubmitAllAsync(before);
        await events.WaitForFinalAsync([.. before.Select(t => t.Id)], TimeSpan.FromMinutes(1));

        // An operator deletes the queues the scheduler reads (management UI, rabbitmqctl delete_queue): the broker
        // cancels its consumers. Readiness is watched meanwhile, as Kubernetes would.
        using var watching = new CancellationTokenSource();
        var readiness = WatchReadinessAsync(system, watching.Token);
        await using (var channel = await system.Connection.CreateChannelAsync())
        {
            foreach (var queue in new[] { system.Topology.SubmitQueue, system.Topology.SchedulerEventsQueue, system.Topology.CancelQueue })
            {
                await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }
        }

        await WaitForLogAsync(system, "Consuming " + system.Topology.CancelQueue + " again");
        await WaitForLogAsync(system, "Consuming " + system.Topology.SubmitQueue + " again");
        await WaitForLogAsync(system, "Consuming " + system.Topology.SchedulerEventsQueue + " again");

        var after = Tasks.Many(10, _ => 0);
        await system.SubmitAllAsync(after);
        await events.WaitForFinalAsync([.. after.Select(t => t.Id)], TimeSpan.FromMinutes(1));
        var readyAtEnd = await ReadyAsync(system);
        await watching.CancelAsync();
        var answers = await readiness;
        var log = system.Scheduler!.ReadLog();
        var finals = events.Finals();
        await TestContext.Out.WriteLineAsync(
            $"readiness answers while recovering: {string.Join(", ", answers.Distinct())}; scheduler exited: {system.Scheduler.HasExited}");

        using (Assert.EnterMultipleScope())
        {
            foreach (var queue in new[] { system.Topology.SubmitQueue, system.Topology.SchedulerEventsQueue, system.Topology.CancelQueue })
            {
                Assert.That(log, Does.Contain($"Stopped consuming {queue}"), "the scheduler says it stopped consuming");
            }

            Assert.That(answers, Has.Some.StartsWith("not ready: ").And.Contains("not consuming"), "readiness said so while a queue was not consumed");
            Assert.That(after.Select(t => finals[t.Id].State), Is.All.EqualTo(TaskState.Completed), "tasks submitted afterwards are taken and run");
            Assert.That(after.Select(t => finals[t.Id].Attempt), Is.All.EqualTo(1));
            Assert.That(readyAtEnd, Is.True);
            Assert.That(system.Scheduler.HasExited, Is.False);
            Assert.That(await system.GetWorkersAsync(), Has.Length.EqualTo(1), "the worker was not declared dead");
        }
    }

    [Test]
    public async Task Scheduler_WhoseEventsExchangeIsDeleted_DeclaresItAgain_AndRunsEveryLaterTaskOnce()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4, extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1");
        var before = Tasks.Many(5, _ => 0);
        await system.SubmitAllAsync(before);
        Assert.That(await system.WaitForFinalStatesAsync(before.Select(t => t.Id), TimeSpan.FromMinutes(2)), Has.Count.EqualTo(5));

        // An operator deletes the events exchange: the next publish to it (a task event, a worker's heartbeat) makes
        // the broker close that publisher's channel, which the client's automatic recovery does not reopen.
        await using (var channel = await system.Connection.CreateChannelAsync())
        {
            await channel.ExchangeDeleteAsync(system.Topology.EventsExchange, ifUnused: false);
        }

        var after = Tasks.Many(20, _ => 0);
        await system.SubmitAllAsync(after);
        var finals = await system.WaitForFinalStatesAsync(after.Select(t => t.Id), TimeSpan.FromMinutes(3));
        var log = system.Scheduler!.ReadLog();
        var executions = Executions.Read(system.WorkerLogs());
        var lateExecutions = after.ToDictionary(t => t.Id, t => executions.Where(e => e.Key.TaskId == t.Id).Sum(e => e.Value));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(log, Does.Contain("The broker closed the publishing channel"), "the scheduler's channel was closed, and it said so");
            Assert.That(finals, Has.Count.EqualTo(after.Count), "every task submitted after the deletion ended");
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            // The worker's own log of executions is the ground truth: a result the exchange dropped while the
            // scheduler declared it again (before its events queue was bound) left attempt 1 run but unheard, and
            // reconciliation had the worker run the task again as attempt 2.
            Assert.That(lateExecutions.Values, Is.All.EqualTo(1), "each task was executed once by the worker");
            Assert.That(finals.Values.Select(f => f.Attempts), Is.All.EqualTo(1), "each ran once, in its first attempt");
            Assert.That(log, Does.Not.Contain("declared dead"), "the worker, silenced by the missing exchange, was not declared dead");
            Assert.That(system.Scheduler.HasExited, Is.False);
        }
    }

    private static async Task<bool> ReadyAsync(TestSystem system)
    {
        using var response = await system.Api.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>What /health/ready answered, polled until cancelled: "ready", or "not ready: reasons".</summary>
    private static async Task<List<string>> WatchReadinessAsync(TestSystem system, CancellationToken ct)
    {
        var answers = new List<string>();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var response = await system.Api.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                answers.Add(response.StatusCode == HttpStatusCode.OK ? "ready" : $"not ready: {await response.Content.ReadAsStringAsync(ct)}");
                await Task.Delay(20, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return answers;
    }

    private static async Task WaitForLogAsync(TestSystem system, string text) =>
        await system.Scheduler!.WaitForLogAsync(System.Text.RegularExpressions.Regex.Escape(text), TimeSpan.FromSeconds(60));
}
