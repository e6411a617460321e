using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskScheduler.Client;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;
using TaskScheduler.Worker.Simulation;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The client library as another .NET service uses it, against a real system: submit and wait for the result, wait
/// for a task that ended before anyone listened, watch, a graph, batches, and a result too large for an event. The
/// tests with the real worker share one system; those with a fake worker, which must get every assignment, have their
/// own.
/// </summary>
[TestFixture]
[Category("integration")]
public class ClientTests : SharedSystemTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    protected override async Task StartAsync(TestSystem system)
    {
        await system.StartSchedulerAsync();
        system.StartWorker("c1", capacity: 4);
        await system.WaitForWorkersAsync("c1");
    }

    [Test]
    public async Task Client_FromDependencyInjection_SubmitsAndWaitsForTheEnd_WithTheResultTheSchedulerJournaled()
    {
        var system = SharedSystem;

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
        var system = SharedSystem;
        var task = Tasks.New();
        await system.SubmitAsync(task);
        var finals = await system.WaitForFinalStatesAsync([task.Id], Generous);
        Assert.That(finals, Contains.Key(task.Id), "the task finished, its events long gone");

        // A poll interval longer than the test: only the question asked on subscribing can answer.
        await using var client = system.CreateClient(statusPollInterval: TimeSpan.FromHours(1));
        using var deadline = new CancellationTokenSource(Generous);
        var end = await client.WaitAsync(task.Id, deadline.Token);
        var watched = await ClientOperations.ToListAsync(client.WatchAsync(task.Id, deadline.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((end.Kind, end.WorkerId, end.Result), Is.EqualTo((TaskEventKind.Completed, "c1", finals[task.Id].Result)));
            Assert.That(watched.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Completed }), "a watch of an ended task yields its end alone");
        }
    }

    [Test]
    public async Task Watch_YieldsTheTaskEventsInOrder_FromAcceptanceToTheEnd()
    {
        var system = SharedSystem;
        await using var client = system.CreateClient();

        using var deadline = new CancellationTokenSource(Generous);
        // Long enough a run that the Running event is out before the journal knows the end.
        var task = Tasks.New(payload: $"{RunTimeHint.Format(TimeSpan.FromMilliseconds(400))}watched {Guid.NewGuid():N}");
        var events = await ClientOperations.ToListAsync(client.SubmitAndWatchAsync(task, deadline.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Pending, TaskEventKind.Running, TaskEventKind.Completed }));
            Assert.That(events.Select(e => e.TaskId).Distinct(), Is.EqualTo(new[] { task.Id }));
            Assert.That(events[1].WorkerId, Is.EqualTo("c1"));
            Assert.That(events.Select(e => e.At), Is.Ordered);
        }
    }

    [Test]
    public async Task Batches_SubmittedThroughTheClient_AnswerEachTask_AndSubmitManyInBatchesRunsEveryTask()
    {
        var system = SharedSystem;
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);
        var first = Tasks.New();
        var answer = await client.SubmitBatchWithOutcomesAsync([first, Tasks.New(), first with { Payload = "other content" }, first], deadline.Token);
        var many = Tasks.Many(250, _ => 0);
        await client.SubmitInBatchesAsync(many, batchSize: 100, deadline.Token);
        var finals = await system.WaitForFinalStatesAsync(many.Select(t => t.Id), Generous);
        var refused = await client.WaitAsync(first.Id, deadline.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Tasks.Select(t => t.Outcome), Is.EqualTo(new[] { BatchOutcome.Accepted, BatchOutcome.Accepted, BatchOutcome.Refused, BatchOutcome.Duplicate }));
            Assert.That(answer.Tasks[2].Reason, Does.Contain("appears earlier in this batch"));
            Assert.That(finals.Values.Select(f => f.State).ToList(), Has.Count.EqualTo(250).And.All.EqualTo(TaskState.Completed));
            Assert.That(refused.Kind, Is.EqualTo(TaskEventKind.Completed), "the refused copy did not touch the accepted task");
            Assert.Throws<ArgumentException>(() => client.SubmitBatchWithOutcomesAsync([], deadline.Token).GetAwaiter().GetResult());
        }
    }

    [Test]
    public async Task Graph_SubmittedAndAwaited_EndsEveryTask_InDependencyOrder()
    {
        var system = SharedSystem;
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);

        var extract = Tasks.New();
        var transform = Tasks.New() with { DependsOn = [extract.Id] };
        var load = Tasks.New() with { DependsOn = [transform.Id] };
        var ends = await ClientOperations.ToListAsync(client.SubmitGraphAndWaitAsync([load, extract, transform], deadline.Token));

        Assert.That(ends.Select(e => (e.TaskId, e.Kind)), Is.EqualTo(new[]
        {
            (extract.Id, TaskEventKind.Completed), (transform.Id, TaskEventKind.Completed), (load.Id, TaskEventKind.Completed),
        }));
    }

    [Test]
    public async Task SubmitMany_ThenWaitingForEach_EndsThemAll()
    {
        var system = SharedSystem;
        await using var client = system.CreateClient();
        using var deadline = new CancellationTokenSource(Generous);

        var tasks = Enumerable.Range(0, 200).Select(i => Tasks.New(priority: i % 3)).ToList();
        await client.SubmitManyAsync(tasks, deadline.Token);
        var ends = await Task.WhenAll(tasks.Select(t => client.WaitAsync(t.Id, deadline.Token)));

        Assert.That(ends.Select(e => (e.TaskId, e.Kind)), Is.EquivalentTo(tasks.Select(t => (t.Id, TaskEventKind.Completed))));
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
        var watching = ClientOperations.ToListAsync(client.SubmitAndWatchAsync(big, deadline.Token));
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
}
