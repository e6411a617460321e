using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>Tasks that depend on tasks: graphs from a file, release in order, failure down the graph, bad graphs.</summary>
[TestFixture]
[Category("integration")]
public class DependencyTests
{
    [Test]
    public async Task GraphFromAFile_RunsEachTaskAfterItsDependencies_AndAFailureFailsWhatDependsOnIt()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("g1", capacity: 3, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), failureRate: 0.5);
        await system.WaitForWorkersAsync("g1");
        await using var events = await system.RecordEventsAsync();

        // A diamond (fetch → parse, thumbs → publish) beside a chain whose first link fails (crash → report → archive).
        var graph = new object[]
        {
            new { id = "fetch", payload = TaskOperations.Payload("fetch", fails: false), priority = 1 },
            new { id = "parse", payload = TaskOperations.Payload("parse", fails: false), dependsOn = new[] { "fetch" } },
            new { id = "thumbs", payload = TaskOperations.Payload("thumbs", fails: false), dependsOn = new[] { "fetch" }, priority = 7 },
            new { id = "publish", payload = TaskOperations.Payload("publish", fails: false), dependsOn = new[] { "parse", "thumbs" } },
            new { id = "crash", payload = TaskOperations.Payload("crash", fails: true) },
            new { id = "report", payload = TaskOperations.Payload("report", fails: false), dependsOn = new[] { "crash" } },
            new { id = "archive", payload = TaskOperations.Payload("archive", fails: false), dependsOn = new[] { "report", "publish" } },
        };
        var file = Path.Combine(system.Directory, "graph.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(graph));

        var run = await CliRun.RunAsync(system, null, "submit", "--graph", file, "--wait", "--json");

        Assert.That(run.ExitCode, Is.EqualTo(1), $"some tasks failed, so the CLI says so\n{run.Error}");
        var ids = JsonDocument.Parse(run.Out).RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("id").GetGuid());
        var seen = events.Snapshot();
        int When(string name, TaskState state) =>
            seen.Select((e, i) => (e, i)).First(x => x.e.TaskId == ids[name] && x.e.State == state).i;

        var finals = await system.WaitForFinalStatesAsync(ids.Values, TimeSpan.FromSeconds(30));
        using (Assert.EnterMultipleScope())
        {
            foreach (var name in new[] { "fetch", "parse", "thumbs", "publish" })
            {
                Assert.That(finals[ids[name]].State, Is.EqualTo(TaskState.Completed), name);
            }

            Assert.That(When("parse", TaskState.Running), Is.GreaterThan(When("fetch", TaskState.Completed)));
            Assert.That(When("thumbs", TaskState.Running), Is.GreaterThan(When("fetch", TaskState.Completed)));
            Assert.That(When("publish", TaskState.Running), Is.GreaterThan(When("parse", TaskState.Completed)));
            Assert.That(When("publish", TaskState.Running), Is.GreaterThan(When("thumbs", TaskState.Completed)));

            Assert.That(finals[ids["crash"]].State, Is.EqualTo(TaskState.Failed));
            Assert.That(finals[ids["report"]].State, Is.EqualTo(TaskState.Failed));
            Assert.That(finals[ids["report"]].Error, Is.EqualTo($"dependency {ids["crash"]} failed"));
            Assert.That(finals[ids["report"]].Attempts, Is.Zero, "it never ran");
            Assert.That(finals[ids["archive"]].State, Is.EqualTo(TaskState.Failed));
            Assert.That(finals[ids["archive"]].Error, Does.Contain(ids["report"].ToString()).And.Contain(ids["crash"].ToString()));
            Assert.That(await system.GetHistoryEventsAsync(ids["archive"]),
                Is.EqualTo(new[] { TaskHistoryEvents.Accepted, TaskHistoryEvents.DependencyFailed }));
            Assert.That(seen.Where(e => e.TaskId == ids["archive"]).Select(e => e.State), Has.None.EqualTo(TaskState.Running));
        }
    }

    [Test]
    public async Task DependentTask_SaysWhatItWaitsFor_AndRunsOnceItsDependencyCompletes()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var events = await system.RecordEventsAsync();

        var first = Tasks.New();
        await system.SubmitAsync(first);
        var id = Guid.NewGuid();
        var submit = await CliRun.RunAsync(system, null, "submit", "second", "--id", id.ToString(), "--depends-on", first.Id.ToString());
        Assert.That(submit.ExitCode, Is.Zero, submit.Error);
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == id), TimeSpan.FromSeconds(30), "the dependent to be accepted");

        var waiting = await system.GetTaskAsync(id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(waiting!.State, Is.EqualTo(TaskState.Pending));
            Assert.That(waiting.PendingReason, Is.EqualTo("waiting on dependencies: 1 of 1 not completed yet"));
            Assert.That(waiting.DependsOn, Is.EqualTo(new[] { first.Id }));
            Assert.That((await system.GetTaskAsync(first.Id))!.PendingReason, Does.StartWith("no worker registered"));
        }

        system.StartWorker("late");
        var finals = await system.WaitForFinalStatesAsync([first.Id, id], TimeSpan.FromSeconds(60));

        var text = await CliRun.RunAsync(system, null, "status", id.ToString(), "--history");
        var json = await CliRun.RunAsync(system, null, "status", id.ToString(), "--history", "--json");
        var steps = JsonSerializer.Deserialize(json.Out, WireJson.Default.TaskHistoryEntryArray)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(finals[id].StartedAt, Is.GreaterThanOrEqualTo(finals[first.Id].FinishedAt!.Value));
            Assert.That(text.ExitCode, Is.Zero, text.Error);
            Assert.That(text.Out, Does.Contain("depends on 1 tasks (0 unfinished)").And.Contain("history")
                .And.Contain("accepted: priority 0; depends on 1 tasks").And.Contain("completed on late (attempt 1)"));
            Assert.That(steps.Select(s => (s.Event, s.WorkerId, s.Attempt)), Is.EqualTo(new (string, string?, int?)[]
            {
                (TaskHistoryEvents.Accepted, null, null), (TaskHistoryEvents.Assigned, "late", 1),
                (TaskHistoryEvents.Started, "late", 1), (TaskHistoryEvents.Completed, "late", 1),
            }));
            Assert.That(steps.Select(s => s.At), Is.Ordered, "oldest first");
        }
    }

    [Test]
    public async Task GraphsWithACycleOrAnUnknownDependency_AreRejectedWhole_OverTheBrokerAndOverHttp()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var events = await system.RecordEventsAsync();

        var a = Tasks.New();
        var b = Tasks.New() with { DependsOn = [a.Id] };
        var c = Tasks.New() with { DependsOn = [b.Id] };
        var cyclic = new[] { a with { DependsOn = [c.Id] }, b, c };
        var orphan = Tasks.New() with { DependsOn = [Guid.NewGuid()] };
        var innocent = Tasks.New();
        await system.SubmitGraphAsync(cyclic);
        await system.SubmitGraphAsync(innocent, orphan);
        await events.WaitUntilAsync(e => e.Count(x => x.Kind == TaskEventKind.Rejected) == 5, TimeSpan.FromSeconds(30), "five rejection events");
        var rejectionEvents = events.Snapshot().Where(e => e.Kind == TaskEventKind.Rejected).Select(e => e.TaskId).ToList();

        using var overHttp = await system.Api.PostAsJsonAsync("/api/tasks", new[]
        {
            new { id = Guid.NewGuid(), payload = "x", dependsOn = new[] { Guid.NewGuid() } },
        });
        var rejected = await system.DrainRejectedAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejected.Select(r => r.Reason), Has.Exactly(1).StartsWith("dependency cycle:"));
            Assert.That(rejected.Select(r => r.Reason), Has.Exactly(1).EqualTo($"task {orphan.Id} depends on task {orphan.DependsOn![0]}, which is unknown or expired"));
            Assert.That(rejectionEvents,
                Is.EquivalentTo(cyclic.Select(t => t.Id).Append(innocent.Id).Append(orphan.Id)), "every task of a rejected graph hears of it");
            Assert.That(await system.GetTaskAsync(innocent.Id), Is.Null, "nothing of a rejected graph is accepted");
            Assert.That(await system.GetTaskAsync(a.Id), Is.Null);
            Assert.That(overHttp.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await overHttp.Content.ReadAsStringAsync(), Does.Contain("which is unknown or expired"));
        }
    }
}
