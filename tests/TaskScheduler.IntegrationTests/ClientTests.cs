using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskScheduler.Client;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The client library as another .NET service uses it, against a real system: submit and wait for the result, wait
/// for a task that ended before anyone listened, watch, status, cancel, a result too large for an event, rejections.
/// </summary>
[TestFixture]
[Category("integration")]
public class ClientTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Test]
    public async Task Client_FromDependencyInjection_SubmitsAndWaitsForTheEnd_WithTheResultTheSchedulerJournaled()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("c1");
        await system.WaitForWorkersAsync("c1");

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskScheduler:Broker:Url"] = system.BrokerUrl,
            ["TaskScheduler:Broker:Prefix"] = system.Prefix,
            ["TaskScheduler:SchedulerUrl"] = system.SchedulerUrl,
        });
        builder.Services.AddTaskSchedulerClient();
        using var host = builder.Build();
        var client = host.Services.GetRequiredService<ITaskSchedulerClient>();

        using var deadline = new CancellationTokenSource(Generous);
        var task = Tasks.New(priority: 4) with { Timeout = TimeSpan.FromMinutes(5) };
        var end = await client.SubmitAndWaitAsync(task, deadline.Token);
        var status = await client.GetStatusAsync(task.Id, deadline.Token);
        var result = await client.GetResultAsync(task.Id, deadline.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((end.TaskId, end.Kind, end.WorkerId, end.Attempt), Is.EqualTo((task.Id, TaskEventKind.Completed, "c1", 1)));
            Assert.That(status!.State, Is.EqualTo(TaskState.Completed));
            Assert.That(status.Timeout, Is.EqualTo(TimeSpan.FromMinutes(5)), "the timeout travelled with the submission");
            Assert.That(end.Result, Is.EqualTo(status.Result), "the wait hands out the result the scheduler journaled");
            Assert.That(result, Is.EqualTo(status.Result));
        }
    }

    [Test]
    public async Task Wait_ReturnsForATaskThatEndedBeforeTheClientListened()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("c1");
        var task = Tasks.New();
        await system.SubmitAsync(task);
        var finals = await system.WaitForFinalStatesAsync([task.Id], Generous);
        Assert.That(finals, Contains.Key(task.Id), "the task finished, its events long gone");

        // A poll interval longer than the test: only the question asked on subscribing can answer.
        await using var client = system.CreateClient(statusPollInterval: TimeSpan.FromHours(1));
        using var deadline = new CancellationTokenSource(Generous);
        var end = await client.WaitAsync(task.Id, deadline.Token);
        var watched = await ToListAsync(client.WatchAsync(task.Id, deadline.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((end.Kind, end.WorkerId, end.Result), Is.EqualTo((TaskEventKind.Completed, "c1", finals[task.Id].Result)));
            Assert.That(watched.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Completed }), "a watch of an ended task yields its end alone");
        }
    }

    [Test]
    public async Task Watch_YieldsTheTaskEventsInOrder_FromAcceptanceToTheEnd()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        // Long enough a run that the Running event is out before the journal knows the end.
        system.StartWorker("c1", minRun: TimeSpan.FromMilliseconds(300), maxRun: TimeSpan.FromMilliseconds(500));
        await system.WaitForWorkersAsync("c1");
        await using var client = system.CreateClient();

        using var deadline = new CancellationTokenSource(Generous);
        var task = Tasks.New();
        var events = await ToListAsync(client.SubmitAndWatchAsync(task, deadline.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Pending, TaskEventKind.Running, TaskEventKind.Completed }));
            Assert.That(events.Select(e => e.TaskId).Distinct(), Is.EqualTo(new[] { task.Id }));
            Assert.That(events[1].WorkerId, Is.EqualTo("c1"));
            Assert.That(events.Select(e => e.At), Is.Ordered);
        }
    }

    [Test]
    public async Task Cancel_ThroughTheClient_EndsThePendingTask_AndItsResultIsATaskFailedException()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(); // no worker: the task waits
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);
        var task = Tasks.New();
        await client.SubmitAsync(task, deadline.Token);
        await WaitForStateAsync(client, task.Id, TaskState.Pending, deadline.Token);

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
    public async Task ResultLargerThanAnEvent_IsFetched_AndAFailureCarriesItsError()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var worker = await FakeWorker.JoinAsync(system, "fake1");
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);

        // 100 KiB and more of text with non-ASCII characters: over the 64 KiB an event carries.
        var large = string.Concat(Enumerable.Repeat("Größe ½ — 結果 ", 8000));
        Assert.That(Encoding.UTF8.GetByteCount(large), Is.GreaterThan(Limits.MaxEventResultBytes));
        var big = Tasks.New();
        var watching = ToListAsync(client.SubmitAndWatchAsync(big, deadline.Token));
        await worker.FinishAsync(await worker.NextAssignmentAsync(), result: large);
        var events = await watching;

        var failing = Tasks.New();
        var waiting = client.SubmitAndWaitAsync(failing, deadline.Token);
        await worker.FinishAsync(await worker.NextAssignmentAsync(), error: "disk full");
        var failed = await waiting;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(events[^1].Kind, Is.EqualTo(TaskEventKind.Completed));
            Assert.That(events[^1].Result, Is.EqualTo(large), "the watch fetched the result the event could not carry");
            Assert.That(await client.GetResultAsync(big.Id, deadline.Token), Is.EqualTo(large));
            Assert.That((failed.Kind, failed.Error), Is.EqualTo((TaskEventKind.Failed, "disk full")));
            var exception = Assert.Throws<TaskFailedException>(() => failed.ResultOrThrow());
            Assert.That(exception!.Error, Is.EqualTo("disk full"));
        }
    }

    [Test]
    public async Task RejectedSubmissions_EndTheWait_WithTheReason()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);
        var original = Tasks.New();
        await client.SubmitAsync(original, deadline.Token);
        await WaitForStateAsync(client, original.Id, TaskState.Pending, deadline.Token);

        var conflict = await client.SubmitAndWaitAsync(original with { Payload = "other content" }, deadline.Token);
        var a = Tasks.New();
        var cycle = new[] { a with { DependsOn = [original.Id, Guid.NewGuid()] } };
        var graph = await ToListAsync(client.SubmitGraphAndWaitAsync(cycle, deadline.Token));

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
    public async Task Batches_SubmittedThroughTheClient_AnswerEachTask_AndSubmitManyInBatchesRunsEveryTask()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("b1", capacity: 4);
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);
        var first = Tasks.New();
        var answer = await client.SubmitBatchAsync([first, Tasks.New(), first with { Payload = "other content" }, first], deadline.Token);
        var many = Tasks.Many(250, _ => 0);
        await client.SubmitManyAsync(many, batchSize: 100, deadline.Token);
        var finals = await system.WaitForFinalStatesAsync(many.Select(t => t.Id), Generous);
        var refused = await client.WaitAsync(first.Id, deadline.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Tasks.Select(t => t.Outcome), Is.EqualTo(new[] { BatchOutcome.Accepted, BatchOutcome.Accepted, BatchOutcome.Refused, BatchOutcome.Duplicate }));
            Assert.That(answer.Tasks[2].Reason, Does.Contain("appears earlier in this batch"));
            Assert.That(finals.Values.Select(f => f.State).ToList(), Has.Count.EqualTo(250).And.All.EqualTo(TaskState.Completed));
            Assert.That(refused.Kind, Is.EqualTo(TaskEventKind.Completed), "the refused copy did not touch the accepted task");
            Assert.Throws<ArgumentException>(() => client.SubmitBatchAsync([], deadline.Token).GetAwaiter().GetResult());
        }
    }

    [Test]
    public async Task Graph_SubmittedAndAwaited_EndsEveryTask_InDependencyOrder()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("c1", capacity: 2);
        await system.WaitForWorkersAsync("c1");
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);

        var extract = Tasks.New();
        var transform = Tasks.New() with { DependsOn = [extract.Id] };
        var load = Tasks.New() with { DependsOn = [transform.Id] };
        var ends = await ToListAsync(client.SubmitGraphAndWaitAsync([load, extract, transform], deadline.Token));

        Assert.That(ends.Select(e => (e.TaskId, e.Kind)), Is.EqualTo(new[]
        {
            (extract.Id, TaskEventKind.Completed), (transform.Id, TaskEventKind.Completed), (load.Id, TaskEventKind.Completed),
        }));
    }

    [Test]
    public async Task SubmitMany_ThenWaitingForEach_EndsThemAll()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("c1", capacity: 4);
        await system.WaitForWorkersAsync("c1");
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);

        var tasks = Enumerable.Range(0, 200).Select(i => Tasks.New(priority: i % 3)).ToList();
        await client.SubmitManyAsync(tasks, deadline.Token);
        var ends = await Task.WhenAll(tasks.Select(t => client.WaitAsync(t.Id, deadline.Token)));

        Assert.That(ends.Select(e => (e.TaskId, e.Kind)), Is.EquivalentTo(tasks.Select(t => (t.Id, TaskEventKind.Completed))));
    }

    [Test]
    public async Task Wait_ForAnIdTheSchedulerDoesNotKnow_FailsPromptlyNamingIt_AndTheCliExitsNotFound()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var unknown = Guid.NewGuid();

        // A poll interval longer than the test: only the unknown-task grace can end the wait before the deadline.
        await using var client = system.CreateClient(statusPollInterval: TimeSpan.FromHours(1));
        using var deadline = new CancellationTokenSource(Generous);
        var thrown = Assert.ThrowsAsync<TaskNotFoundException>(async () => await client.WaitAsync(unknown, deadline.Token));
        var cli = await CliRun.RunAsync(system, null, "wait", unknown.ToString(), "--wait-timeout", "1h");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown!.TaskId, Is.EqualTo(unknown));
            Assert.That(deadline.IsCancellationRequested, Is.False, "the wait ended on its own, not at the deadline");
            Assert.That(cli.ExitCode, Is.EqualTo(7), cli.Error);
            Assert.That(cli.Out, Is.Empty);
            Assert.That(cli.Error, Does.Contain($"task {unknown} is unknown or expired"));
        }
    }

    [Test]
    public async Task Cli_Wait_PrintsTheResultOfATaskSubmittedElsewhere()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var worker = await FakeWorker.JoinAsync(system, "fake1");
        var task = Tasks.New();

        var waiting = CliRun.RunAsync(system, null, "wait", task.Id.ToString());
        await system.SubmitAsync(task);
        await worker.FinishAsync(await worker.NextAssignmentAsync(), result: "done elsewhere");
        var waited = await waiting;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(waited.ExitCode, Is.Zero, waited.Error);
            Assert.That(waited.Out, Is.EqualTo("done elsewhere"));
        }
    }

    [Test]
    public async Task Cli_SubmitWait_PrintsTheResultAlone_AndFailsWithTheErrorOnStandardError()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var worker = await FakeWorker.JoinAsync(system, "fake1");

        var id = Guid.NewGuid();
        var succeeding = CliRun.RunAsync(system, null, "submit", "make a greeting", "--id", id.ToString(), "--wait", "--timeout", "5m");
        var order = await worker.NextAssignmentAsync();
        await worker.FinishAsync(order, result: "héllo wörld 👋");
        var success = await succeeding;
        var status = await CliRun.RunAsync(system, null, "status", id.ToString());

        var failing = CliRun.RunAsync(system, null, "submit", "this fails", "--wait", "--timeout", "PT1M");
        await worker.FinishAsync(await worker.NextAssignmentAsync(), error: "no such greeting");
        var failure = await failing;
        var badTimeout = await CliRun.RunAsync(system, null, "submit", "x", "--timeout", "soon");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(success.ExitCode, Is.Zero, success.Error);
            Assert.That(success.Out, Is.EqualTo("héllo wörld 👋"), "standard output holds the result and nothing else");
            Assert.That(success.Error, Does.Contain("completed on fake1 (attempt 1)"), "the steps go to standard error");
            Assert.That(order.Timeout, Is.EqualTo(TimeSpan.FromMinutes(5)), "--timeout reached the worker");
            Assert.That(status.Out, Does.Contain("timeout    PT5M").And.Contain("result     héllo wörld 👋"));
            Assert.That(failure.ExitCode, Is.EqualTo(1));
            Assert.That(failure.Out, Is.Empty);
            Assert.That(failure.Error, Does.Contain("failed: no such greeting"));
            Assert.That(badTimeout.ExitCode, Is.EqualTo(2));
            Assert.That(badTimeout.Error, Does.Contain("--timeout takes a duration"));
        }
    }

    private static Task WaitForStateAsync(TaskSchedulerClient client, Guid id, TaskState state, CancellationToken ct) =>
        Eventually.That(async () => (await client.GetStatusAsync(id, ct))?.State == state, Generous, $"task {id} to be {state}");

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
