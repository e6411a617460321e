using System.Net;
using System.Net.Http.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Client;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// An operator finds tasks and acts on them, on the real broker with real processes: the list by each filter across
/// pages, retry of one failed task and of a filtered set (each completing on its next attempt, dependents released),
/// a priority change that reorders the queue, and delete.
/// </summary>
[TestFixture]
[Category("integration")]
public class OperateTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Test]
    public async Task List_ByEachFilter_PagesNewestFirstAcrossPages()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var start = DateTimeOffset.UtcNow;
        var alpha = Enumerable.Range(0, 9).Select(i => Tasks.New(priority: 1, payload: $"alpha {i}")).ToList();
        var beta = Enumerable.Range(0, 7).Select(i => Tasks.New(priority: 2, payload: $"beta {i}")).ToList();
        await using (var events = await system.RecordEventsAsync())
        {
            await system.SubmitAllAsync(alpha);
            await system.SubmitAllAsync(beta);
            await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Pending) >= alpha.Count + beta.Count, Generous, "every task accepted");
        }

        await using var client = system.CreateClient();

        var pending = await ReadAllAsync(client, new TaskListFilter { State = TaskState.Pending, Limit = 4 });
        var byPriority = await ReadAllAsync(client, new TaskListFilter { Priority = 2, Limit = 3 });
        var byPrefix = await ReadAllAsync(client, new TaskListFilter { PayloadPrefix = "alpha", Limit = 4 });

        system.StartWorker("clumsy", capacity: 4, failureRate: 1);
        var finals = await system.WaitForFinalStatesAsync([.. alpha.Concat(beta).Select(t => t.Id)], Generous);
        Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Failed));
        var failedOnClumsy = await ReadAllAsync(client, new TaskListFilter { State = TaskState.Failed, Worker = "clumsy", Limit = 5 });
        var finishedSince = await ReadAllAsync(client, new TaskListFilter { FinishedAfter = start, Limit = 6 });
        var submittedSince = await ReadAllAsync(client, new TaskListFilter { SubmittedAfter = start, SubmittedBefore = DateTimeOffset.UtcNow, Limit = 5 });
        var nothingPending = await ReadAllAsync(client, new TaskListFilter { State = TaskState.Pending });

        var all = alpha.Concat(beta).Select(t => t.Id).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pending.Select(t => t.Id), Is.EquivalentTo(all), "pending, 4 a page");
            Assert.That(pending.Select(t => t.SubmittedAt), Is.Ordered.Descending, "newest first");
            Assert.That(byPriority.Select(t => t.Id), Is.EquivalentTo(beta.Select(t => t.Id)), "priority 2, 3 a page");
            Assert.That(byPrefix.Select(t => t.Id), Is.EquivalentTo(alpha.Select(t => t.Id)), "payload prefix 'alpha'");
            Assert.That(byPrefix.Select(t => t.PayloadHead), Is.All.StartWith("alpha "));
            Assert.That(failedOnClumsy.Select(t => t.Id), Is.EquivalentTo(all), "failed on worker clumsy");
            Assert.That(failedOnClumsy.Select(t => t.Error), Is.All.Not.Null, "a failed task shows its error in the list");
            Assert.That(finishedSince.Select(t => t.Id), Is.EquivalentTo(all), "finished since the start");
            Assert.That(submittedSince.Select(t => t.Id), Is.EquivalentTo(all), "submitted in the range");
            Assert.That(nothingPending, Is.Empty);
        }

        using var bad = await system.Api.GetAsync(new Uri("/api/tasks?state=sleeping", UriKind.Relative));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(bad.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));

        var cli = await CliRun.RunAsync(system, null, "list", "--state", "failed", "--payload-prefix", "beta", "--limit", "3", "--all");
        Assert.That(cli.ExitCode, Is.Zero, cli.Error);
        Assert.That(cli.Out, Does.Contain("7 tasks").And.Contain("beta 6").And.Contain("Failed"));
        var json = await CliRun.RunAsync(system, null, "--json", "list", "--priority", "1", "--all");
        Assert.That(System.Text.Json.JsonDocument.Parse(json.Out).RootElement.GetProperty("tasks").GetArrayLength(), Is.EqualTo(9), json.Error);
    }

    [Test]
    public async Task RetryOfOneFailedTask_CompletesOnItsNextAttempt_AndReleasesTheDependentsItTookDown()
    {
        await using var system = await TestSystem.CreateAsync();
        const string key = "operator-key-0123456789";
        await system.StartSchedulerAsync([$"--Api:Keys:ops:Key={key}", "--Api:Keys:ops:Roles:0=operate"]);
        var clumsy = system.StartWorker("clumsy", capacity: 2, failureRate: 1);
        await system.WaitForWorkersAsync("clumsy");
        await using var client = ClientWithKey(system, key);

        var root = Tasks.New(payload: "extract");
        var dependent = Tasks.New(payload: "transform") with { DependsOn = [root.Id] };
        await client.SubmitGraphAsync([root, dependent]);
        var failed = await system.WaitForFinalStatesAsync([root.Id, dependent.Id], Generous);
        Assert.That(failed.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Failed));

        clumsy.Terminate();
        system.StartWorker("steady", capacity: 2);
        await system.WaitForWorkersAsync("steady");
        var answer = await client.RetryAsync(root.Id, "handler fixed");
        var finals = await system.WaitForFinalStatesAsync([root.Id, dependent.Id], Generous);
        var history = await system.GetHistoryAsync(root.Id);
        var again = await client.RetryAsync(root.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Status, Is.EqualTo(TaskActionStatus.Done));
            Assert.That(finals[root.Id].State, Is.EqualTo(TaskState.Completed));
            Assert.That(finals[root.Id].Attempts, Is.EqualTo(2), "the failed attempt, then the retried one");
            Assert.That(finals[root.Id].WorkerId, Is.EqualTo("steady"));
            Assert.That(finals[dependent.Id].State, Is.EqualTo(TaskState.Completed), "the dependent waited for it again and ran");
            Assert.That(history!.Select(h => (h.Event, h.Detail)), Does.Contain((TaskHistoryEvents.Retried, "by ops: handler fixed")));
            Assert.That(again.Status, Is.EqualTo(TaskActionStatus.NotApplicable), "a Completed task is not retried");
        }
    }

    [Test]
    public async Task RetryOfAFilteredSet_RetriesEveryMatchingFailedTask_WhichThenComplete()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var clumsy = system.StartWorker("clumsy", capacity: 4, failureRate: 1);
        var batch = Enumerable.Range(0, 6).Select(i => Tasks.New(payload: $"batch {i}")).ToList();
        var other = Enumerable.Range(0, 3).Select(i => Tasks.New(payload: $"other {i}")).ToList();
        await system.SubmitAllAsync([.. batch, .. other]);
        await system.WaitForFinalStatesAsync([.. batch.Concat(other).Select(t => t.Id)], Generous);
        clumsy.Terminate();
        system.StartWorker("steady", capacity: 4);
        await system.WaitForWorkersAsync("steady");
        await using var client = system.CreateClient();

        var retried = await client.RetryManyAsync(new TaskListFilter { State = TaskState.Failed, PayloadPrefix = "batch", FinishedAfter = DateTimeOffset.UtcNow.AddHours(-1) });
        var finals = await system.WaitForFinalStatesAsync(batch.Select(t => t.Id), Generous);
        var cli = await CliRun.RunAsync(system, null, "retry", "--state", "failed", "--since", "1h", "--payload-prefix", "other", "--reason", "fixed");
        var others = await system.WaitForFinalStatesAsync(other.Select(t => t.Id), Generous);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((retried.Matched, retried.Retried), Is.EqualTo((6, 6)));
            Assert.That(retried.Ids, Is.EquivalentTo(batch.Select(t => t.Id)));
            Assert.That(finals.Values.Select(f => (f.State, f.Attempts)), Is.All.EqualTo((TaskState.Completed, 2)));
            Assert.That(cli.ExitCode, Is.Zero, cli.Error);
            Assert.That(cli.Out, Is.EqualTo("retried 3 of 3 matching tasks"));
            Assert.That(others.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
        }
    }

    [Test]
    public async Task PriorityChange_OfAPendingTask_ReordersTheQueue()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var events = await system.RecordEventsAsync();
        var queued = Enumerable.Range(0, 4).Select(i => Tasks.New(priority: 1, payload: $"queued {i}")).ToList();
        await system.SubmitAllAsync(queued);
        var last = queued[^1];
        await events.WaitUntilAsync(e => queued.All(q => e.Any(x => x.TaskId == q.Id && x.State == TaskState.Pending)), Generous, "every task accepted");

        var cli = await CliRun.RunAsync(system, null, "priority", last.Id.ToString(), "9", "--reason", "customer waiting");
        system.StartWorker("single", capacity: 1, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        await system.WaitForFinalStatesAsync(queued.Select(t => t.Id), Generous);
        var started = events.Snapshot().Where(e => e.State == TaskState.Running).Select(e => e.TaskId).ToList();
        var history = await system.GetHistoryAsync(last.Id);
        var running = await CliRun.RunAsync(system, null, "priority", last.Id.ToString(), "3");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cli.ExitCode, Is.Zero, cli.Error);
            Assert.That(started[0], Is.EqualTo(last.Id), "the raised task runs first");
            Assert.That(history!.Select(h => (h.Event, h.Detail)), Does.Contain((TaskHistoryEvents.PriorityChanged, "1 to 9 by anonymous: customer waiting")));
            Assert.That((await system.GetTaskAsync(last.Id))!.Priority, Is.EqualTo(9));
            Assert.That(running.ExitCode, Is.EqualTo(5), "a finished task keeps its priority");
        }
    }

    [Test]
    public async Task Delete_OfAFinishedTask_ThenItIsNotFound_AndAnUnfinishedOneIsRefused()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var done = Tasks.New(payload: "to delete");
        var waiting = Tasks.New(payload: "waiting");
        await system.SubmitAllAsync([done]);
        var worker = system.StartWorker("w1", capacity: 1);
        await system.WaitForFinalStatesAsync([done.Id], Generous);
        await using var client = system.CreateClient();

        var deleted = await client.DeleteAsync(done.Id, "cleanup");
        using var after = await system.Api.GetAsync(new Uri($"/api/tasks/{done.Id}", UriKind.Relative));
        var listed = await client.ListTasksAsync(new TaskListFilter { PayloadPrefix = "to delete" });
        var again = await client.DeleteAsync(done.Id);
        worker.Terminate();
        await system.WaitForWorkersAsync();
        await using var events = await system.RecordEventsAsync();
        await system.SubmitAllAsync([waiting]);
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == waiting.Id && x.State == TaskState.Pending), Generous, "the task accepted");
        var cli = await CliRun.RunAsync(system, null, "delete", waiting.Id.ToString());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted.Status, Is.EqualTo(TaskActionStatus.Done));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(after.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(listed.Tasks, Is.Empty);
            Assert.That(again.Status, Is.EqualTo(TaskActionStatus.NotFound));
            Assert.That(cli.ExitCode, Is.EqualTo(5), "an unfinished task is not deleted");
            Assert.That(cli.Error, Does.Contain("only a finished task can be deleted"));
        }
    }

    private static TaskSchedulerClient ClientWithKey(TestSystem system, string key) => new(new TaskSchedulerClientOptions
    {
        Broker = new BrokerOptions { Url = system.BrokerUrl, Prefix = system.Prefix },
        SchedulerUrl = new Uri(system.SchedulerUrl),
        ApiKey = key,
    });

    private static async Task<List<TaskSummary>> ReadAllAsync(TaskSchedulerClient client, TaskListFilter filter)
    {
        var tasks = new List<TaskSummary>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await client.ListTasksAsync(filter with { Cursor = cursor });
            Assert.That(page.Tasks, Has.Count.LessThanOrEqualTo(filter.Limit));
            tasks.AddRange(page.Tasks);
            cursor = page.Next;
            Assert.That(++pages, Is.LessThan(50), "the list ends");
        }
        while (cursor is not null);

        return tasks;
    }
}
