using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>Tasks submitted to start later: journaled at once, waiting for their time, through a scheduler's kill -9.</summary>
[TestFixture]
[Category("integration")]
public class DelayedTaskTests
{
    [Test]
    public async Task DelayedTasks_StartNoEarlierThanAsked_EvenAcrossASchedulerKill9WhileTheyWait()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 2);
        await system.WaitForWorkersAsync("w1");

        var delayed = Tasks.New() with { Delay = TimeSpan.FromSeconds(10) };
        var at = Tasks.New() with { RunAt = DateTimeOffset.UtcNow.AddSeconds(12) };
        var now = Tasks.New();
        await system.SubmitAllAsync([delayed, at, now]);
        var cli = await CliRun.RunAsync(system, null, "submit", "later via the cli", "--in", "8s", "--json");
        Assert.That(cli.ExitCode, Is.Zero, cli.Error);
        var fromCli = JsonDocument.Parse(cli.Out).RootElement.GetProperty("id").GetGuid();

        var ids = new[] { delayed.Id, at.Id, fromCli };
        var waiting = new List<Contracts.Messages.TaskStatusView>();
        foreach (var id in ids)
        {
            waiting.Add(await system.WaitUntilKnownAsync(id));
        }

        var immediate = await system.WaitForFinalStatesAsync([now.Id], TimeSpan.FromSeconds(60));
        system.Scheduler!.Kill9();
        await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await system.StartSchedulerAsync();
        var finals = await system.WaitForFinalStatesAsync(ids, TimeSpan.FromSeconds(120));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(immediate[now.Id].State, Is.EqualTo(TaskState.Completed), "a task without a time runs at once");
            foreach (var status in waiting)
            {
                Assert.That(status.State, Is.EqualTo(TaskState.Pending));
                Assert.That(status.RunAt, Is.Not.Null);
                Assert.That(status.PendingReason, Does.StartWith("scheduled for "), $"task {status.Id}");
                Assert.That(finals.TryGetValue(status.Id, out var final) ? final.State : TaskState.Pending, Is.EqualTo(TaskState.Completed), $"task {status.Id}");
            }

            Assert.That(waiting[0].RunAt!.Value - waiting[0].SubmittedAt, Is.EqualTo(TimeSpan.FromSeconds(10)), "delay counts from acceptance");
            Assert.That(waiting[1].RunAt, Is.EqualTo(at.RunAt!.Value.ToUniversalTime()).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(waiting[2].RunAt!.Value - waiting[2].SubmittedAt, Is.EqualTo(TimeSpan.FromSeconds(8)), "tasks submit --in 8s");
        }

        foreach (var status in waiting)
        {
            var assigned = (await system.GetHistoryAsync(status.Id))!.First(h => h.Event == TaskHistoryEvents.Assigned);
            Assert.That(assigned.At, Is.GreaterThanOrEqualTo(status.RunAt!.Value), $"task {status.Id} was assigned before its time");
        }
    }
}
