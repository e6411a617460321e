using TaskScheduler.Client;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The client library against a system without a worker, where tasks wait: cancel through the client, rejections
/// that end a wait, and a wait for a task the scheduler does not know. The tests share the system.
/// </summary>
[TestFixture]
[Category("integration")]
public class ClientWithoutWorkerTests : SharedSystemTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    /// <summary>No worker: the tasks wait.</summary>
    protected override Task StartAsync(TestSystem system) => system.StartSchedulerAsync();

    [Test]
    public async Task Cancel_ThroughTheClient_EndsThePendingTask_AndItsResultIsATaskFailedException()
    {
        var system = SharedSystem;
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);
        var task = Tasks.New();
        await client.SubmitAsync(task, deadline.Token);
        await client.WaitForStateAsync(task.Id, TaskState.Pending, deadline.Token);

        var waiting = client.WaitAsync(task.Id, deadline.Token);
        var cancelled = await client.CancelAsync(task.Id, "changed my mind", deadline.Token);
        var end = await waiting;
        var again = await client.CancelAsync(task.Id, cancellationToken: deadline.Token);
        var unknown = await client.CancelAsync(Guid.NewGuid(), cancellationToken: deadline.Token);
        var failure = Assert.ThrowsAsync<TaskFailedException>(() => client.GetResultAsync(task.Id, deadline.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cancelled, Is.EqualTo(CancelResult.Cancelled));
            Assert.That(end.Kind, Is.EqualTo(TaskEventKind.Cancelled));
            Assert.That(end.Error, Does.Contain("changed my mind"));
            Assert.That(again, Is.EqualTo(CancelResult.AlreadyCancelled));
            Assert.That(unknown, Is.EqualTo(CancelResult.NotFound));
            Assert.That(failure!.Kind, Is.EqualTo(TaskEventKind.Cancelled));
            Assert.That(failure.Message, Does.Contain("was cancelled").And.Contain("changed my mind"));
            Assert.That(await client.GetStatusAsync(Guid.NewGuid(), deadline.Token), Is.Null, "an unknown task has no status");
        }
    }

    [Test]
    public async Task RejectedSubmissions_EndTheWait_WithTheReason()
    {
        var system = SharedSystem;
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);
        var original = Tasks.New();
        await client.SubmitAsync(original, deadline.Token);
        await client.WaitForStateAsync(original.Id, TaskState.Pending, deadline.Token);

        var conflict = await client.SubmitAndWaitAsync(original with { Payload = "other content" }, deadline.Token);
        var a = Tasks.New();
        var cycle = new[] { a with { DependsOn = [original.Id, Guid.NewGuid()] } };
        var graph = await ClientOperations.ToListAsync(client.SubmitGraphAndWaitAsync(cycle, deadline.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(conflict.Kind, Is.EqualTo(TaskEventKind.Rejected));
            Assert.That(conflict.Error, Is.Not.Empty);
            Assert.Throws<TaskRejectedException>(() => conflict.ResultOrThrow());
            Assert.That(graph.Select(e => (e.TaskId, e.Kind)), Is.EqualTo(new[] { (a.Id, TaskEventKind.Rejected) }), "a graph naming an unknown task is rejected");
            Assert.That((await client.GetStatusAsync(original.Id, deadline.Token))!.State, Is.EqualTo(TaskState.Pending), "the original task is untouched");
        }
    }

    [Test]
    public async Task Wait_ForAnIdTheSchedulerDoesNotKnow_FailsPromptlyNamingIt_AndTheCliExitsNotFound()
    {
        var system = SharedSystem;
        var unknown = Guid.NewGuid();

        // A poll interval longer than the test: only the unknown-task grace (3 s here, 30 s by default) can end the
        // wait before the deadline.
        await using var client = system.CreateClient(statusPollInterval: TimeSpan.FromHours(1), unknownTaskGrace: TimeSpan.FromSeconds(3));
        using var deadline = new CancellationTokenSource(Generous);
        // The CLI waits out the same grace meanwhile.
        var waitingCli = CliRun.RunAsync(system, null, "wait", unknown.ToString(), "--wait-timeout", "1h", "--unknown-grace", "3s");
        var thrown = Assert.ThrowsAsync<TaskNotFoundException>(async () => await client.WaitAsync(unknown, deadline.Token));
        var cli = await waitingCli;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown!.TaskId, Is.EqualTo(unknown));
            Assert.That(deadline.IsCancellationRequested, Is.False, "the wait ended on its own, not at the deadline");
            Assert.That(cli.ExitCode, Is.EqualTo(7), cli.Error);
            Assert.That(cli.Out, Is.Empty);
            Assert.That(cli.Error, Does.Contain($"task {unknown} is unknown or expired"));
        }
    }
}
