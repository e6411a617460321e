using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Batch submissions on the real broker and scheduler: a plain AMQP <c>submit-batch</c> message, <c>POST
/// /api/tasks/batch</c>, and a scheduler killed with kill -9 right after a batch is published.
/// </summary>
[TestFixture]
[Category("integration")]
public class BulkSubmissionTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(120);

    [Test]
    public async Task PlainAmqpBatch_WithTwoBadTasks_RunsTheOthersOnceEach_AndRefusesTheTwoWithReasons()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4, extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1");
        await using var events = await system.RecordEventsAsync();
        await using var replies = await ReplyQueue.CreateAsync(system.Connection);

        var good = Enumerable.Range(0, 48).Select(i => Tasks.New(payload: $"batch task {i}")).ToList();
        var wrongPayload = Guid.NewGuid();
        var badPayload = $$"""{"id":"{{wrongPayload}}","payload":17}""";
        var badId = """{"id":"not-a-task-id","payload":"x"}""";
        var items = good.Select(t => JsonSerializer.Serialize(t, WireJson.Default.SubmitTask)).ToList();
        items.Insert(10, badPayload);
        items.Insert(30, badId);
        var body = Encoding.UTF8.GetBytes($$"""{"tasks":[{{string.Join(",", items)}}]}""");

        await system.PublishBatchAsync(body, replies.Name, "batch-1");
        var (correlation, reply) = await replies.NextAsync(Generous);
        var finals = await system.WaitForFinalStatesAsync(good.Select(t => t.Id), Generous);
        var rejected = await system.DrainRejectedAsync();
        var executions = Executions.Read(system.WorkerLogs());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(correlation, Is.EqualTo("batch-1"));
            Assert.That((reply.Accepted, reply.Duplicates, reply.Refused), Is.EqualTo((48, 0, 2)));
            Assert.That(reply.Tasks.Select(t => t.Index), Is.EqualTo(Enumerable.Range(0, 50)), "one outcome per task, in order");
            Assert.That(reply.Tasks[10], Is.EqualTo(new BatchTaskOutcome(10, wrongPayload, BatchOutcome.Refused) { Reason = "field 'payload' must be a string, not a number" }));
            Assert.That(reply.Tasks[30].Reason, Does.StartWith("field 'id' is not a UUID"));
            Assert.That(finals.Values.Select(f => f.State).ToList(), Has.Count.EqualTo(48).And.All.EqualTo(TaskState.Completed));
            Assert.That(good.Select(t => executions.GetValueOrDefault((t.Id, 1))), Is.All.EqualTo(1), "each good task ran once");
            Assert.That(executions.Keys.Select(k => k.TaskId), Is.SubsetOf(good.Select(t => t.Id)));
            Assert.That(rejected.Select(r => Encoding.UTF8.GetString(r.Body)), Is.EqualTo(new[] { badPayload, badId }),
                "each bad task lands alone in the rejected queue, not the batch");
            Assert.That(rejected.Select(r => r.Reason), Is.EqualTo(new[] { reply.Tasks[10].Reason, reply.Tasks[30].Reason }));
            Assert.That(events.Snapshot().Any(e => e.Kind == TaskEventKind.Rejected && e.TaskId == wrongPayload), Is.True,
                "the refused task whose id could be read is announced");
        }
    }

    [Test]
    public async Task HttpBatch_AnswersEachTasksOutcome_InOrder_AndRefusesABatchOverTheLimitWhole()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Scheduler:MaxBatchTasks=5"]);
        var known = Tasks.New(payload: "known before");
        using (var first = await system.Api.PostAsync(new Uri("/api/tasks", UriKind.Relative), new StringContent(Json(known), Encoding.UTF8, "application/json")))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        var fresh = Tasks.New(payload: "fresh");
        var json = $$"""
            {"tasks":[
              {{Json(fresh)}},
              {"payload":"no id: one is generated"},
              {{Json(known)}},
              {"id":"{{known.Id}}","payload":"known before, other content"},
              {"id":"{{Guid.NewGuid()}}","payload":"x","maxRetries":1000}
            ]}
            """;
        using var response = await system.Api.PostAsync(new Uri("/api/tasks/batch", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var reply = await response.Content.ReadFromJsonAsync(WireJson.Default.SubmitTasksReply);
        var generated = reply!.Tasks[1].Id!.Value;
        var over = $$"""{"tasks":[{{string.Join(",", Enumerable.Range(0, 6).Select(_ => Json(Tasks.New())))}}]}""";
        using var tooMany = await system.Api.PostAsync(new Uri("/api/tasks/batch", UriKind.Relative), new StringContent(over, Encoding.UTF8, "application/json"));
        var problem = JsonDocument.Parse(await tooMany.Content.ReadAsStringAsync()).RootElement;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(reply.Tasks.Select(t => t.Outcome), Is.EqualTo(new[]
                { BatchOutcome.Accepted, BatchOutcome.Accepted, BatchOutcome.Duplicate, BatchOutcome.Refused, BatchOutcome.Refused }));
            Assert.That(reply.Tasks[0].Id, Is.EqualTo(fresh.Id));
            Assert.That(reply.Tasks[3].Reason, Does.Contain("other content"));
            Assert.That(reply.Tasks[4].Reason, Does.StartWith("field 'maxRetries' must be a whole number from 0 to 100"));
            Assert.That(await system.GetTaskAsync(generated), Is.Not.Null, "the generated id names the accepted task");
            Assert.That(await system.GetTaskAsync(fresh.Id), Is.Not.Null);
            Assert.That(tooMany.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo("the batch holds 6 tasks; a batch holds at most 5 (Scheduler:MaxBatchTasks)"));
        }
    }

    [Test]
    public async Task SchedulerKilledRightAfterABatchIsPublished_RunsEveryTaskOfItExactlyOnce_AfterItsRestart()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4, extraArgs: Executions.LogArgs);
        system.StartWorker("w2", capacity: 4, extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1", "w2");

        var batches = Enumerable.Range(0, 4).Select(b => Enumerable.Range(0, 250).Select(i => Tasks.New(payload: $"batch {b} task {i}")).ToList()).ToList();
        foreach (var batch in batches)
        {
            await system.PublishBatchAsync(JsonSerializer.SerializeToUtf8Bytes(new SubmitTasks(batch), WireJson.Default.SubmitTasks));
        }

        system.Scheduler!.Kill9();
        await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await system.StartSchedulerAsync();
        var ids = batches.SelectMany(b => b.Select(t => t.Id)).ToList();
        var finals = await system.WaitForFinalStatesAsync(ids, TimeSpan.FromSeconds(240));
        var executions = Executions.Read(system.WorkerLogs());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals, Has.Count.EqualTo(1000), "nothing lost");
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(ids.Select(id => executions.Where(e => e.Key.TaskId == id).Sum(e => e.Value)), Is.All.EqualTo(1), "nothing run twice");
            Assert.That(await system.CountMessagesAsync(system.Topology.SubmitQueue), Is.Zero);
        }
    }

    [Test]
    public async Task SubmitFile_ThroughTheRealCli_PrintsEachLinesOutcome_AndExitsNonZeroWhenAnyIsRefused()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4);
        var (a, b) = (Tasks.New(payload: "line one"), Tasks.New(payload: "line two", priority: 3));
        var file = Path.Combine(system.Directory, "tasks.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            Json(a),
            Json(b),
            "",
            """{"payload":"no id, one is given"}""",
            """{"id": "oops""",
            $$"""{"id":"{{Guid.NewGuid()}}","payload":5}""",
            Json(a),
        ]);

        var run = await CliRun.RunAsync(system, null, "submit", "--file", file, "--batch-size", "2", "--json");
        var answer = JsonDocument.Parse(run.Out).RootElement;
        var lines = answer.GetProperty("lines").EnumerateArray().ToList();
        var generated = lines[2].GetProperty("id").GetGuid();
        var text = await CliRun.RunAsync(system, $"{Json(Tasks.New())}\n{Json(Tasks.New())}\n", "submit", "--file", "-");
        var finals = await system.WaitForFinalStatesAsync([a.Id, b.Id, generated], Generous);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.ExitCode, Is.EqualTo(5), run.Error);
            Assert.That(lines.Select(l => l.GetProperty("line").GetInt32()), Is.EqualTo(new[] { 1, 2, 4, 5, 6, 7 }), "blank lines are skipped");
            Assert.That(lines.Select(l => l.GetProperty("outcome").GetString()), Is.EqualTo(new[] { "accepted", "accepted", "accepted", "refused", "refused", "duplicate" }));
            Assert.That(lines[3].GetProperty("reason").GetString(), Does.StartWith("malformed JSON"));
            Assert.That(lines[4].GetProperty("reason").GetString(), Is.EqualTo("field 'payload' must be a string, not a number"));
            Assert.That((answer.GetProperty("accepted").GetInt32(), answer.GetProperty("duplicates").GetInt32(), answer.GetProperty("refused").GetInt32()), Is.EqualTo((3, 1, 2)));
            Assert.That(finals.Values.Select(f => f.State).ToList(), Has.Count.EqualTo(3).And.All.EqualTo(TaskState.Completed));
            Assert.That(finals[b.Id].Priority, Is.EqualTo(3));
            Assert.That(text.ExitCode, Is.Zero, text.Error);
            Assert.That(text.Out, Does.Contain("line 1: accepted").And.Contain("line 2: accepted").And.EndWith("2 accepted, 0 duplicate, 0 refused, of 2 lines"));
        }
    }

    private static string Json(SubmitTask task) => JsonSerializer.Serialize(task, WireJson.Default.SubmitTask);

    /// <summary>A server-named, exclusive queue a request/reply producer names in <c>reply_to</c>.</summary>
    private sealed class ReplyQueue : IAsyncDisposable
    {
        private readonly IChannel _channel;
        private readonly System.Threading.Channels.Channel<(string?, SubmitTasksReply)> _replies =
            System.Threading.Channels.Channel.CreateUnbounded<(string?, SubmitTasksReply)>();

        private ReplyQueue(IChannel channel, string name)
        {
            _channel = channel;
            Name = name;
        }

        public string Name { get; }

        public static async Task<ReplyQueue> CreateAsync(IConnection connection)
        {
            var channel = await connection.CreateChannelAsync();
            var declared = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
            var queue = new ReplyQueue(channel, declared.QueueName);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                var reply = JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.SubmitTasksReply)!;
                queue._replies.Writer.TryWrite((delivery.BasicProperties.CorrelationId, reply));
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(declared.QueueName, autoAck: true, consumer);
            return queue;
        }

        public async Task<(string? CorrelationId, SubmitTasksReply Reply)> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            return await _replies.Reader.ReadAsync(cts.Token);
        }

        public async ValueTask DisposeAsync() => await _channel.DisposeAsync();
    }
}
