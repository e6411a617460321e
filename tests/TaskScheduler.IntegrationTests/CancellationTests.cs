using System.Net;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>Cancelling over the CLI, the HTTP API and the broker; a running task is stopped on its worker.</summary>
[TestFixture]
[Category("integration")]
public class CancellationTests
{
    [Test]
    public async Task Cancel_EndsPendingAndRunningTasksCancelled_ByEachWayIn_AndFailsTheirDependents()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var worker = system.StartWorker("busy", capacity: 1, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
        await system.WaitForWorkersAsync("busy");
        await using var events = await system.RecordEventsAsync();

        var first = Tasks.New(priority: 3);
        var second = Tasks.New(priority: 2);
        var queued = Tasks.New(priority: 1);
        var dependent = Tasks.New(priority: 1) with { DependsOn = [queued.Id] };
        await system.SubmitAsync(first);
        await system.WaitUntilStartedAsync(first.Id);
        await system.SubmitAllAsync([second, queued, dependent]);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Pending) == 4, TimeSpan.FromSeconds(30), "all accepted");

        // A pending task, over the CLI: it never runs, and what depends on it fails.
        var cli = await CliRun.RunAsync(system, null, "cancel", queued.Id.ToString(), "--reason", "not needed");

        // The running task, over HTTP: its worker stops it, and the slot goes to the next task.
        var http = await system.CancelOverHttpAsync(first.Id, "wrong input");
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == second.Id && x.State == TaskState.Running), TimeSpan.FromSeconds(30),
            "the next task to take the freed slot");

        // That one, over the broker, as another service would.
        await system.PublishCancelAsync(second.Id, "from another service");
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == second.Id && x.State == TaskState.Cancelled), TimeSpan.FromSeconds(30),
            "the broker cancel to take effect");

        var again = await CliRun.RunAsync(system, null, "cancel", queued.Id.ToString());
        var unknown = await CliRun.RunAsync(system, null, "cancel", Guid.NewGuid().ToString());
        var finals = await system.WaitForFinalStatesAsync([first.Id, second.Id, queued.Id, dependent.Id], TimeSpan.FromSeconds(10));
        var cancelledOnWorker = worker.ReadLog();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cli.ExitCode, Is.Zero, cli.Error);
            Assert.That(cli.Out, Is.EqualTo("cancelled"));
            Assert.That(http, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(finals[queued.Id].State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(finals[queued.Id].Error, Is.EqualTo("cancelled on request: not needed"));
            Assert.That(finals[queued.Id].Attempts, Is.Zero, "it never ran");
            Assert.That(finals[dependent.Id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(finals[dependent.Id].Error, Is.EqualTo($"dependency {queued.Id} was cancelled"));
            Assert.That(finals[first.Id].State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(finals[second.Id].State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(finals[second.Id].Error, Is.EqualTo("cancelled on request: from another service"));
            Assert.That(cancelledOnWorker, Does.Contain($"Task {first.Id} attempt 1 cancelled by the scheduler"));
            Assert.That(cancelledOnWorker, Does.Contain($"Task {second.Id} attempt 1 cancelled by the scheduler"));
            Assert.That(events.Snapshot().Where(e => e.State == TaskState.Completed), Is.Empty);
            Assert.That(again.ExitCode, Is.Zero, "cancelling twice is harmless");
            Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.NotFound));
            Assert.That(await system.GetHistoryEventsAsync(first.Id), Is.EqualTo(new[]
            {
                TaskHistoryEvents.Accepted, TaskHistoryEvents.Assigned, TaskHistoryEvents.Started, TaskHistoryEvents.Cancelled,
            }));
        }

        // The worker says in its heartbeats that it stopped both: their slots are free again.
        await system.WaitForNoneInFlightAsync();
    }

    [Test]
    public async Task CancelOfAFinishedTask_IsRefused_AndOverTheBrokerLandsInTheRejectedQueue()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("quick");
        var task = Tasks.New();
        await system.SubmitAsync(task);
        var done = await system.WaitForFinalStatesAsync([task.Id], TimeSpan.FromSeconds(60));
        Assert.That(done[task.Id].State, Is.EqualTo(TaskState.Completed));

        var cli = await CliRun.RunAsync(system, null, "cancel", task.Id.ToString());
        await system.PublishCancelAsync(task.Id, "too late");
        await system.PublishToCancelExchangeAsync(System.Text.Encoding.UTF8.GetBytes("{\"reason\": \"no id\"}"));
        await Eventually.That(
            async () => await system.CountMessagesAsync(system.Topology.RejectedQueue) >= 2, TimeSpan.FromSeconds(30), "both cancels in the rejected queue");

        var rejected = await system.DrainRejectedAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Rejected));
            Assert.That(cli.Error, Does.Contain("already finished"));
            Assert.That(rejected.Select(r => r.Reason), Has.One.EqualTo($"task {task.Id} has already finished (Completed); it cannot be cancelled"));
            Assert.That(rejected.Select(r => r.Reason), Has.One.Contains("missing required field 'taskId'"));
            Assert.That((await system.GetTaskAsync(task.Id))!.State, Is.EqualTo(TaskState.Completed), "the result stands");
        }
    }

    /// <summary>The CLI's exit codes (the test project does not reference the CLI).</summary>
    private static class ExitCodes
    {
        public const int NotFound = 7;
        public const int Rejected = 5;
    }
}
