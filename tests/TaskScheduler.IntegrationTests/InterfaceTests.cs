using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>The ways in: the `tasks` CLI, the HTTP API, and request/response status for other services.</summary>
[TestFixture]
[Category("integration")]
public class InterfaceTests
{
    [Test]
    public async Task Cli_SubmitsAndWaits_ThenReportsStatusAndWorkers()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("cli-worker", capacity: 2);
        await system.WaitForWorkersAsync("cli-worker");

        var id = Guid.NewGuid();
        var submit = await CliRun.RunAsync(system, null, "submit", "resize image 42", "--priority", "7", "--id", id.ToString(), "--wait");
        var status = await CliRun.RunAsync(system, null, "status", id.ToString(), "--json");
        var human = await CliRun.RunAsync(system, null, "status", id.ToString());
        var workers = await CliRun.RunAsync(system, null, "workers");
        var piped = await CliRun.RunAsync(system, "payload from stdin", "submit", "--wait");
        var file = Path.Combine(system.Directory, "payload.txt");
        await File.WriteAllTextAsync(file, "payload from a file");
        var fromFile = await CliRun.RunAsync(system, null, "submit", $"@{file}", "--json");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(submit.ExitCode, Is.Zero, submit.Error);
            Assert.That(submit.Out, Is.EqualTo(JsonSerializer.Deserialize(status.Out, WireJson.Default.TaskStatusView)!.Result ?? ""),
                "--wait prints the task's result alone");
            Assert.That(submit.Error, Does.Contain("running on cli-worker (attempt 1)"));

            Assert.That(status.ExitCode, Is.Zero, status.Error);
            var view = JsonSerializer.Deserialize(status.Out, WireJson.Default.TaskStatusView)!;
            Assert.That((view.Id, view.State, view.Priority, view.Attempts, view.WorkerId, view.PayloadBytes),
                Is.EqualTo((id, TaskState.Completed, 7, 1, "cli-worker", 15)));

            Assert.That(human.Out, Does.Contain("state      Completed").And.Contain("worker     cli-worker"));
            Assert.That(workers.Out, Does.Contain("cli-worker").And.Contain("alive"));
            Assert.That(piped.ExitCode, Is.Zero, piped.Error);
            Assert.That(fromFile.ExitCode, Is.Zero, fromFile.Error);
        }

        // Several scheduler addresses (the replicas of a deployment), the first of which nothing listens on.
        var several = $"http://127.0.0.1:1,{system.SchedulerUrl}";
        var statusOfSeveral = await CliRun.RunAsync(system, null, "status", id.ToString(), "--json", "--scheduler", several);
        var workersOfSeveral = await CliRun.RunAsync(system, null, "workers", "--scheduler", several);
        var submitToSeveral = await CliRun.RunAsync(system, null, "submit", "with two addresses", "--wait", "--scheduler", several);
        var noneAnswers = await CliRun.RunAsync(system, null, "status", id.ToString(), "--scheduler", "http://127.0.0.1:1,http://127.0.0.1:2");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(statusOfSeveral.ExitCode, Is.Zero, statusOfSeveral.Error);
            Assert.That(JsonSerializer.Deserialize(statusOfSeveral.Out, WireJson.Default.TaskStatusView)!.Id, Is.EqualTo(id));
            Assert.That(workersOfSeveral.Out, Does.Contain("cli-worker"), workersOfSeveral.Error);
            Assert.That(submitToSeveral.ExitCode, Is.Zero, submitToSeveral.Error);
            Assert.That(noneAnswers.ExitCode, Is.EqualTo(4), "exit 4: the scheduler cannot be reached");
            Assert.That(noneAnswers.Error, Does.Contain("cannot reach the scheduler at any of http://127.0.0.1:1, http://127.0.0.1:2"));
        }

        var fileTaskId = JsonDocument.Parse(fromFile.Out).RootElement.GetProperty("id").GetGuid();
        var fileTask = await system.GetTaskAsync(fileTaskId);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fileTask, Is.Not.Null, "the task submitted from a file was accepted");
            Assert.That(fileTask!.PayloadBytes, Is.EqualTo("payload from a file".Length));
        }
    }

    [Test]
    public async Task Cli_FailsFastWithAClearMessage_WhenBrokerOrSchedulerCannotBeReached()
    {
        await using var system = await TestSystem.CreateAsync();

        var noBroker = await CliRun.RunAsync(system, null, "submit", "x", "--broker", "amqp://guest:guest@127.0.0.1:1/");
        var noScheduler = await CliRun.RunAsync(system, null, "status", Guid.NewGuid().ToString(), "--scheduler", "http://127.0.0.1:1");
        var neverStarted = await CliRun.RunAsync(system, null, "submit", "x");
        var badId = await CliRun.RunAsync(system, null, "submit", "x", "--id", "not-a-uuid");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(noBroker.ExitCode, Is.EqualTo(3));
            Assert.That(noBroker.Error, Does.Contain("cannot reach the broker"));
            Assert.That(noScheduler.ExitCode, Is.EqualTo(4));
            Assert.That(noScheduler.Error, Does.Contain("cannot reach the scheduler"));
            Assert.That(neverStarted.ExitCode, Is.EqualTo(4));
            Assert.That(neverStarted.Error, Does.Contain("has never started"));
            Assert.That(badId.ExitCode, Is.EqualTo(2));
            Assert.That(badId.Error, Does.Contain("--id must be a version-4 UUID"));
        }
    }

    [Test]
    public async Task HttpApi_AcceptsRejectsAndReportsTasks()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var events = await system.RecordEventsAsync();

        using var accepted = await system.Api.PostAsJsonAsync("/api/tasks", new { payload = "from http", priority = 2 });
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var pending = await system.GetTaskAsync(id);

        using var invalid = await system.Api.PostAsJsonAsync("/api/tasks", new { payload = 5 });
        using var conflict = await system.Api.PostAsJsonAsync("/api/tasks", new { id, payload = "other content", priority = 2 });
        using var duplicate = await system.Api.PostAsJsonAsync("/api/tasks", new { id, payload = "from http", priority = 2 });

        system.StartWorker("http-worker");
        await events.WaitForFinalAsync([id], TimeSpan.FromSeconds(30));
        var done = await system.GetTaskAsync(id);
        using var missing = await system.Api.GetAsync(new Uri($"/api/tasks/{Guid.NewGuid()}", UriKind.Relative));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(pending!.State, Is.EqualTo(TaskState.Pending));
            Assert.That(pending.PendingReason, Does.Contain("no worker registered"));
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await invalid.Content.ReadAsStringAsync(), Does.Contain("field 'payload' must be a string"));
            Assert.That(conflict.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(duplicate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(done!.State, Is.EqualTo(TaskState.Completed));
            Assert.That(done.WorkerId, Is.EqualTo("http-worker"));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
    }

    [Test]
    public async Task StatusRequest_OverTheBroker_AnswersLikeTheApi()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var task = Tasks.New(priority: 3);
        await using var events = await system.RecordEventsAsync();
        await system.SubmitAsync(task);
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == task.Id), TimeSpan.FromSeconds(30), "the task to be accepted");

        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(BrokerSetup.Url)));
        await bus.StartAsync();
        try
        {
            var client = bus.CreateRequestClient<GetTaskStatus>(new Uri($"queue:{system.Topology.StatusQueue}"), RequestTimeout.After(s: 30));
            var known = await client.GetResponse<TaskStatusReply>(new GetTaskStatus(task.Id));
            var unknown = await client.GetResponse<TaskStatusReply>(new GetTaskStatus(Guid.NewGuid()));

            using (Assert.EnterMultipleScope())
            {
                Assert.That(known.Message.Found, Is.True);
                Assert.That(known.Message.Task!.State, Is.EqualTo(TaskState.Pending));
                Assert.That(known.Message.Task.Priority, Is.EqualTo(3));
                Assert.That(unknown.Message.Found, Is.False);
            }
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
