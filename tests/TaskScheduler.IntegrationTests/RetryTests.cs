using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>Failed runs retried with backoff, up to a task's own limit; tasks without retries fail at once.</summary>
[TestFixture]
[Category("integration")]
public class RetryTests
{
    [Test]
    public async Task FailingTask_IsRetriedAfterABackoff_UpToItsMaxRetries_ThenFails()
    {
        await using var system = await TestSystem.CreateAsync();
        string[] schedulerArgs = ["--Scheduler:Retry:InitialBackoff=00:00:05", "--Scheduler:Retry:MaxBackoff=00:00:05"];
        await system.StartSchedulerAsync(schedulerArgs);
        system.StartWorker("clumsy", capacity: 2, failureRate: 1);
        await system.WaitForWorkersAsync("clumsy");
        await using var events = await system.RecordEventsAsync();

        var retried = Tasks.New() with { MaxRetries = 2 };
        var plain = Tasks.New();
        var cli = await CliRun.RunAsync(system, null, "submit", "via the cli", "--max-retries", "1", "--json");
        Assert.That(cli.ExitCode, Is.Zero, cli.Error);
        var fromCli = System.Text.Json.JsonDocument.Parse(cli.Out).RootElement.GetProperty("id").GetGuid();
        await system.SubmitAllAsync([retried, plain]);

        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == retried.Id && x.State == TaskState.Pending && x.Attempt == 1),
            TimeSpan.FromSeconds(30), "the first retry to be scheduled");
        var backingOff = await system.GetTaskAsync(retried.Id);
        var finals = await system.WaitForFinalStatesAsync([retried.Id, plain.Id, fromCli], TimeSpan.FromSeconds(90));
        var history = await system.GetHistoryAsync(retried.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(backingOff!.State, Is.EqualTo(TaskState.Pending));
            Assert.That(backingOff.PendingReason, Does.StartWith("retry backoff until").And.Contain("retry 1 of 2").And.Contain("simulated failure"));
            Assert.That(backingOff.RetryAt, Is.Not.Null);

            Assert.That(finals[retried.Id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(finals[retried.Id].Attempts, Is.EqualTo(3), "the first run and two retries");
            Assert.That(finals[retried.Id].Retries, Is.EqualTo(2));
            Assert.That(finals[fromCli].Attempts, Is.EqualTo(2), "--max-retries 1 gives one more run");
            Assert.That(finals[plain.Id].Attempts, Is.EqualTo(1), "no retries unless asked for");
            Assert.That(finals[plain.Id].State, Is.EqualTo(TaskState.Failed));

            Assert.That(history!.Select(h => h.Event).Where(e => e is TaskHistoryEvents.RetryScheduled or TaskHistoryEvents.Failed), Is.EqualTo(new[]
            {
                TaskHistoryEvents.RetryScheduled, TaskHistoryEvents.RetryScheduled, TaskHistoryEvents.Failed,
            }));
        }

        // Each retry waited out its backoff: it was assigned no earlier than the time the retry was scheduled for.
        var scheduled = history!.Where(h => h.Event == TaskHistoryEvents.RetryScheduled).ToList();
        var reassigned = history!.Where(h => h.Event == TaskHistoryEvents.Assigned).Skip(1).ToList();
        Assert.That(reassigned, Has.Count.EqualTo(2));
        for (var i = 0; i < 2; i++)
        {
            Assert.That(reassigned[i].At - scheduled[i].At, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1)));
        }
    }
}
