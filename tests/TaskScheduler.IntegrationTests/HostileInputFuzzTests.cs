using System.Net;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Input that is hostile by its size or its values rather than its form: cycles of 10 to 100,000 tasks, graphs too
/// large, deep and wide JSON, headers near the broker's frame limit, hostile cancel requests, and a worker reporting
/// a 9 MiB error, times at the ends of the calendar and durations that overflow; batches with huge counts, nested
/// junk and tasks of the wrong types. The scheduler refuses each with a
/// reason, keeps its one broker connection, and completes the valid work once.
/// </summary>
[TestFixture]
[Category("integration")]
[Category("fuzz")]
public class HostileInputFuzzTests
{
    private const int ValidTasks = 100;

    [Test]
    public async Task HugeGraphsHeadersAndWorkerValues_AreRefusedWithAReason_AndTheSchedulerKeepsItsConnection()
    {
        await using var system = await TestSystem.CreateAsync();
        // A long liveness window: the forged worker heartbeats only when the test says so. Preemption may take a
        // task at once, so the planner weighs the forged remaining times.
        system.MissedHeartbeats = 240;
        await system.StartSchedulerAsync(["--Scheduler:Preemption:MinRunTime=00:00:00"]);
        await using var channel = await system.Connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var tried = new List<string>();
        var schedulerConnection = $"{system.Prefix} scheduler";
        var connectionsBefore = await BrokerConnections.WaitForNamedAsync(system.BrokerUrl, schedulerConnection);

        // 1. A worker of our own making reports values no real worker would.
        var (failedTask, completedTask) = await ForgeAWorkerAsync(system, channel, tried);

        // 2. Real workers, valid work, and hostile submissions and cancel requests among it.
        string[] workers = ["w1", "w2"];
        foreach (var id in workers)
        {
            system.StartWorker(id, capacity: 3, TimeSpan.Zero, TimeSpan.FromMilliseconds(20), extraArgs: Executions.LogArgs);
        }

        await system.WaitForWorkersAsync(workers);
        var hostile = HostileSubmissions();
        var hugeHeaders = new Dictionary<string, object?> { ["blob"] = new string('h', 100 * 1024), ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        var manyHeaders = Enumerable.Range(0, 2000).ToDictionary(i => $"x-h{i}", object? (i) => $"value {i} {new string('v', 20)}");
        // One priority: with preemption allowed at once, a higher one would pause running tasks, a new attempt each.
        var valid = Tasks.Many(ValidTasks, _ => 0);
        var refused = new List<byte[]>();
        for (var i = 0; i < hostile.Count; i++)
        {
            // The 3,000-task cycle goes with headers of 100 KiB: its rejected copy once exceeded the frame limit.
            var headers = i % 3 == 0 ? hugeHeaders : i % 3 == 1 ? manyHeaders : null;
            await PublishAsync(channel, system.Topology.SubmitExchange, hostile[i].Body, headers);
            refused.Add(hostile[i].Body);
            tried.Add($"{hostile[i].Kind} over AMQP{(headers is null ? "" : $" with {headers.Count} headers")}");
            await system.SubmitAllAsync(valid.Skip(i * ValidTasks / hostile.Count).Take(ValidTasks / hostile.Count));
        }

        await system.SubmitAllAsync(valid.Skip(hostile.Count * (ValidTasks / hostile.Count)));
        foreach (var (kind, body) in HostileCancels())
        {
            await PublishAsync(channel, system.Topology.CancelExchange, body, hugeHeaders);
            refused.Add(body);
            tried.Add($"cancel request: {kind}");
        }

        // 3. The same graphs over HTTP: a 4xx with a short message each.
        var httpReplies = new List<(string Kind, HttpStatusCode Status, string Body)>();
        var tooLarge = HostileGraphs.VeryWide(700_000);
        foreach (var (kind, body) in hostile.Append(("11 MiB body", tooLarge)))
        {
            var (status, reply) = await PostAsync(system, "/api/tasks", body, chunked: false);
            httpReplies.Add((kind, status!.Value, reply));
            tried.Add($"{kind} over HTTP");
        }

        var cancelBody = Encoding.UTF8.GetBytes($"{{\"reason\":\"{new string('r', 1024 * 1024)}\"}}");
        var (cancelStatus, cancelReply) = await PostAsync(system, $"/api/tasks/{valid[0].Id}/cancel", cancelBody, chunked: false);
        httpReplies.Add(("cancel with a 1 MiB body", cancelStatus!.Value, cancelReply));
        tried.Add("cancel with a 1 MiB body over HTTP");

        // Without a length the scheduler learns the body is too large only by reading it: it answers 413 once past the
        // limit, and may close the connection while the client is still sending, so the answer may not arrive.
        var (chunkedStatus, chunkedReply) = await PostAsync(system, "/api/tasks", tooLarge, chunked: true);
        tried.Add($"11 MiB body, chunked (no length given) over HTTP: {(chunkedStatus is { } c ? ((int)c).ToString(System.Globalization.CultureInfo.InvariantCulture) : chunkedReply)}");
        if (chunkedStatus is { } answered)
        {
            httpReplies.Add(("11 MiB body, chunked", answered, chunkedReply));
        }

        var finals = await system.WaitForFinalStatesAsync(valid.Select(t => t.Id), TimeSpan.FromMinutes(3));
        await Eventually.That(
            async () => await system.CountMessagesAsync(system.Topology.RejectedQueue) >= refused.Count,
            TimeSpan.FromMinutes(2),
            $"all {refused.Count} refused messages in the rejected queue");

        var rejected = await system.DrainRejectedAsync();
        var executions = Executions.Read(system.WorkerLogs());
        var log = system.Scheduler!.ReadLog();
        var connectionLosses = log.Split('\n').Count(l => l.Contains("Broker connection lost", StringComparison.Ordinal));
        var connectionsAfter = await BrokerConnections.NamedAsync(system.BrokerUrl, schedulerConnection);
        var failed = await system.GetTaskAsync(failedTask);
        var completed = await system.GetTaskAsync(completedTask);
        await TestContext.Out.WriteLineAsync($"hostile input tried ({tried.Count}):\n  {string.Join("\n  ", tried)}");
        await TestContext.Out.WriteLineAsync(
            $"hostile input summary: {refused.Count} refused over AMQP, {rejected.Count} in the rejected queue, " +
            $"HTTP {string.Join(", ", httpReplies.Select(r => (int)r.Status))}, {finals.Count} of {valid.Count} valid tasks final, " +
            $"{connectionLosses} broker connection losses, scheduler exited: {system.Scheduler.HasExited}, " +
            $"scheduler's broker connection before: {Describe(connectionsBefore)}, after: {Describe(connectionsAfter)}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(system.Scheduler.HasExited, Is.False, "the scheduler stays up");
            Assert.That(connectionLosses, Is.Zero, "the broker never closed the scheduler's connection");
            Assert.That(log, Does.Not.Contain("frame_too_large"));
            if (connectionsBefore is not null && connectionsAfter is not null)
            {
                Assert.That(connectionsBefore, Has.Count.EqualTo(1), "the management API lists the scheduler's connection");
                Assert.That(connectionsAfter, Is.EqualTo(connectionsBefore), "the same connection, never closed and opened again");
            }

            Assert.That(failed!.State, Is.EqualTo(TaskState.Failed));
            Assert.That(failed.Error, Does.StartWith("boom").And.Contain("truncated"));
            Assert.That(failed.Error!, Has.Length.LessThanOrEqualTo(Limits.MaxErrorChars), "a 9 MiB error is kept to its start");
            Assert.That(completed!.State, Is.EqualTo(TaskState.Completed), "a result with overflowing times is applied, not fatal");
            Assert.That(valid.Where(t => !finals.ContainsKey(t.Id)), Is.Empty, "every valid task reaches a final state");
            Assert.That(finals.Values.Where(f => f.State != TaskState.Completed || f.Attempts != 1).Select(f => $"{f.Id} {f.State} attempt {f.Attempts}"),
                Is.Empty, "every valid task completed on its first attempt");
            Assert.That(executions.Where(e => e.Value > 1), Is.Empty, "no attempt ran twice");
            Assert.That(rejected, Has.Count.EqualTo(refused.Count), "every hostile submission and cancel request was refused once");
            Assert.That(rejected.Select(r => Convert.ToBase64String(r.Body)).Order(), Is.EqualTo(refused.Select(Convert.ToBase64String).Order()),
                "the rejected queue holds exactly them, byte for byte");
            Assert.That(rejected.Where(r => string.IsNullOrWhiteSpace(r.Reason) || r.Reason.Length > Limits.MaxReasonChars).Select(r => r.Reason),
                Is.Empty, "each with a reason of at most 1 KiB");
            Assert.That(rejected.Count(r => r.Reason.StartsWith("dependency cycle:", StringComparison.Ordinal)), Is.EqualTo(3),
                "the cycles of 10, 100 and 3,000 tasks are named as cycles");
            Assert.That(httpReplies.Where(r => (int)r.Status is < 400 or >= 500 || !r.Body.Contains("\"detail\"", StringComparison.Ordinal) || r.Body.Length > 4096)
                .Select(r => $"{r.Kind}: {(int)r.Status} {r.Body[..Math.Min(200, r.Body.Length)]}"),
                Is.Empty, "every hostile HTTP submission gets a 4xx problem details with a short detail");
        }
    }

    [Test]
    public async Task HostileBatches_AreRefusedWithAReason_TheirValidTasksRunOnce_AndTheSchedulerStaysUp()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 4, extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1");
        var whole = HostileBatches.RefusedWhole();
        foreach (var (_, body) in whole)
        {
            // A reply_to no queue answers to: the reply is dropped, nothing else happens.
            await system.PublishBatchAsync(body, replyTo: $"{system.Prefix}.nobody-listens");
        }

        var (valid, bad, mixed) = MixedBatch(20);
        await system.PublishBatchAsync(mixed);

        var httpReplies = new List<(string Kind, HttpStatusCode Status, string Body)>();
        foreach (var (kind, body) in whole)
        {
            var (status, reply) = await PostAsync(system, "/api/tasks/batch", body, chunked: false);
            httpReplies.Add((kind, status!.Value, reply));
        }

        var (validOverHttp, badOverHttp, mixedOverHttp) = MixedBatch(10);
        var (mixedStatus, mixedReply) = await PostAsync(system, "/api/tasks/batch", mixedOverHttp, chunked: false);
        var answer = JsonSerializer.Deserialize(mixedReply, WireJson.Default.SubmitTasksReply);

        var ids = valid.Concat(validOverHttp).Select(t => t.Id).ToList();
        var finals = await system.WaitForFinalStatesAsync(ids, TimeSpan.FromMinutes(3));
        var expected = whole.Select(w => w.Body).Concat(bad.Select(b => Encoding.UTF8.GetBytes(b.Json))).ToList();
        await Eventually.That(
            async () => await system.CountMessagesAsync(system.Topology.RejectedQueue) >= expected.Count,
            TimeSpan.FromMinutes(2),
            $"all {expected.Count} refused batches and tasks in the rejected queue");

        var rejected = await system.DrainRejectedAsync();
        var executions = Executions.Read(system.WorkerLogs());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(system.Scheduler!.HasExited, Is.False, "the scheduler stays up");
            Assert.That(rejected.Select(r => Convert.ToBase64String(r.Body)).Order(), Is.EqualTo(expected.Select(Convert.ToBase64String).Order()),
                "each batch refused whole is copied once, and each bad task of the mixed batch alone, byte for byte");
            Assert.That(rejected.Where(r => string.IsNullOrWhiteSpace(r.Reason) || r.Reason.Length > Limits.MaxReasonChars).Select(r => r.Reason),
                Is.Empty, "each with a reason of at most 1 KiB");
            Assert.That(finals.Values.Where(f => f.State != TaskState.Completed).Select(f => $"{f.Id} {f.State}"), Is.Empty);
            Assert.That(ids.Where(id => !finals.ContainsKey(id)), Is.Empty, "every valid task of the mixed batches reaches its end");
            Assert.That(ids.Select(id => executions.Where(e => e.Key.TaskId == id).Sum(e => e.Value)), Is.All.EqualTo(1), "each ran once");
            Assert.That(httpReplies.Where(r => (int)r.Status is < 400 or >= 500 || !r.Body.Contains("\"detail\"", StringComparison.Ordinal) || r.Body.Length > 4096)
                .Select(r => $"{r.Kind}: {(int)r.Status} {r.Body[..Math.Min(200, r.Body.Length)]}"), Is.Empty,
                "every batch refused whole over HTTP gets a 4xx problem details with a short detail");
            Assert.That(mixedStatus, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((answer!.Accepted, answer.Refused), Is.EqualTo((validOverHttp.Count, badOverHttp.Count)));
            Assert.That(answer.Tasks.Where(t => t.Outcome == Contracts.Messages.BatchOutcome.Refused && string.IsNullOrEmpty(t.Reason)), Is.Empty);
        }
    }

    /// <summary>A batch of <paramref name="count"/> valid tasks with every bad task of <see cref="HostileBatches"/> among them.</summary>
    private static (List<SubmitTask> Valid, List<(string Kind, string Json)> Bad, byte[] Body) MixedBatch(int count)
    {
        var valid = Tasks.Many(count, _ => 0);
        var bad = HostileBatches.BadTasks(valid[0].Id);
        var items = valid.Select(t => JsonSerializer.Serialize(t, WireJson.Default.SubmitTask)).ToList();
        for (var i = 0; i < bad.Count; i++)
        {
            items.Insert(1 + (i * 2 % items.Count), bad[i].Json);
        }

        return (valid, bad, Encoding.UTF8.GetBytes($"{{\"tasks\":[{string.Join(",", items)}]}}"));
    }

    /// <summary>
    /// Posts a body announced by its length (the client waits for "100 Continue", so a refusal arrives before the
    /// body is sent) or chunked. A null status: the scheduler closed the connection during the upload.
    /// </summary>
    private static async Task<(HttpStatusCode? Status, string Body)> PostAsync(TestSystem system, string path, byte[] body, bool chunked)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.ExpectContinue = !chunked;
        request.Headers.TransferEncodingChunked = chunked;
        try
        {
            using var response = await system.Api.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e) when (chunked && e.InnerException is IOException)
        {
            return (null, "connection closed by the scheduler during the upload");
        }
    }

    private static string Describe(List<string>? connections) =>
        connections is null ? "management API not reachable" : connections.Count == 0 ? "none" : string.Join("; ", connections);

    /// <summary>Valid JSON, refused whole: the kind and the bytes.</summary>
    private static List<(string Kind, byte[] Body)> HostileSubmissions() =>
    [
        ("cycle of 3,000 tasks", HostileGraphs.Cycle(3000)),
        ("cycle of 10 tasks", HostileGraphs.Cycle(10)),
        ("cycle of 100 tasks", HostileGraphs.Cycle(100)),
        ("cycle of 100,000 tasks", HostileGraphs.Cycle(100_000)),
        ("chain of 25,000 tasks (over Scheduler:MaxGraphTasks)", HostileGraphs.Chain(25_000)),
        ("unknown dependency", HostileGraphs.UnknownDependency()),
        ("duplicate ids", HostileGraphs.DuplicateIds()),
        ("JSON nested 100,000 deep", HostileGraphs.DeeplyNested(100_000)),
        ("object with 100,000 fields and no payload", HostileGraphs.VeryWide(100_000)),
    ];

    private static IEnumerable<(string Kind, byte[] Body)> HostileCancels()
    {
        yield return ("random bytes", [0xFF, 0x00, 0xC3, 0x28]);
        yield return ("unknown task", Encoding.UTF8.GetBytes($"{{\"taskId\":\"{Guid.NewGuid()}\"}}"));
        yield return ("unknown task with a 1 MiB reason", Encoding.UTF8.GetBytes($"{{\"taskId\":\"{Guid.NewGuid()}\",\"reason\":\"{new string('r', 1024 * 1024)}\"}}"));
        yield return ("JSON nested 100,000 deep", HostileGraphs.DeeplyNested(100_000));
    }

    /// <summary>
    /// Before any real worker runs: a forged worker joins dated at the end of time, is given two tasks, reports
    /// heartbeats with remaining times of ±TimeSpan.MaxValue and negative attempts while a more urgent task waits
    /// (so preemption is planned over them), fails one with a 9 MiB error and completes the other with its start after
    /// its end at the ends of the calendar, and leaves. Returns those two tasks.
    /// </summary>
    private static async Task<(Guid Failed, Guid Completed)> ForgeAWorkerAsync(TestSystem system, IChannel channel, List<string> tried)
    {
        const string ghost = "ghost";
        var topology = system.Topology;
        await channel.QueueDeclareAsync(topology.WorkerQueue(ghost), durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync(topology.WorkerControlQueue(ghost), durable: true, exclusive: false, autoDelete: false);
        await Report(system, ghost, Topology.WorkerEvents.Joined, new WorkerJoined(ghost, 1, "nowhere", -1, DateTimeOffset.MaxValue), WireJson.Default.WorkerJoined);
        await Report(system, "ghost2", Topology.WorkerEvents.Joined, new WorkerJoined("ghost2", int.MaxValue, "nowhere", 1, DateTimeOffset.MinValue), WireJson.Default.WorkerJoined);
        tried.Add("joined dated DateTimeOffset.MaxValue; joined with capacity int.MaxValue");

        var first = Tasks.New(priority: 0);
        await system.SubmitAsync(first);
        var attempt = await NextAssignmentAsync(channel, topology.WorkerQueue(ghost), first.Id);

        var beat = new WorkerHeartbeat(ghost, 1,
            [new RunningTask(first.Id, attempt) { Remaining = TimeSpan.MinValue }, new RunningTask(Guid.NewGuid(), -5) { Remaining = TimeSpan.MaxValue }],
            false, DateTimeOffset.MinValue);
        await Report(system, ghost, Topology.WorkerEvents.Heartbeat, beat, WireJson.Default.WorkerHeartbeat);
        var urgent = Tasks.New(priority: 9);
        await system.SubmitAsync(urgent);
        await Report(system, ghost, Topology.WorkerEvents.Heartbeat, beat, WireJson.Default.WorkerHeartbeat);
        await Report(system, ghost, Topology.WorkerEvents.Preempted, new TaskPreempted(ghost, first.Id, 99, new string('c', Limits.MaxCheckpointBytes + 1), DateTimeOffset.MaxValue), WireJson.Default.TaskPreempted);
        tried.Add("heartbeat with remaining TimeSpan.MinValue and MaxValue and attempt -5, while preemption is planned; preempted with a checkpoint over 1 MiB");

        var error = "boom " + new string('e', 9 * 1024 * 1024);
        await Report(system, ghost, Topology.WorkerEvents.Results, new TasksFinished(ghost,
            [new TaskFinished(ghost, first.Id, attempt, TaskOutcome.Failed, error, DateTimeOffset.MaxValue, DateTimeOffset.MinValue)]), WireJson.Default.TasksFinished);
        tried.Add("failed result with a 9 MiB error, started at DateTimeOffset.MaxValue and finished at MinValue");

        var second = await NextAssignmentAsync(channel, topology.WorkerQueue(ghost), urgent.Id);
        await Report(system, ghost, Topology.WorkerEvents.Results, new TasksFinished(ghost,
            [new TaskFinished(ghost, urgent.Id, second, TaskOutcome.Completed, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)]), WireJson.Default.TasksFinished);
        tried.Add("completed result (in a batch) with a run time that overflows");
        await Report(system, ghost, Topology.WorkerEvents.Left, new WorkerLeft(ghost, [new RunningTask(Guid.NewGuid(), int.MinValue)], DateTimeOffset.MinValue), WireJson.Default.WorkerLeft);
        tried.Add("left handing back an unknown task at attempt int.MinValue");

        await system.WaitForFinalStatesAsync([first.Id, urgent.Id], TimeSpan.FromMinutes(1));
        await Eventually.That(
            async () => (await system.GetWorkersAsync()).All(w => w.Id != ghost), TimeSpan.FromSeconds(60), $"the forged worker {ghost} to be gone");

        return (first.Id, urgent.Id);
    }

    /// <summary>Waits for the order of <paramref name="taskId"/> in a worker queue and returns its attempt.</summary>
    private static async Task<int> NextAssignmentAsync(IChannel channel, string queue, Guid taskId)
    {
        var order = await Eventually.Returns(
            async () => await channel.BasicGetAsync(queue, autoAck: true) is { } message
                ? JsonSerializer.Deserialize(message.Body.Span, WireJson.Default.AssignTasks)!.Tasks.FirstOrDefault(o => o.TaskId == taskId)
                : null,
            o => o is not null,
            TimeSpan.FromSeconds(60),
            $"task {taskId} to be assigned to the forged worker",
            _ => "no assignment of it");
        return order!.Attempt;
    }

    private static Task Report<T>(TestSystem system, string workerId, string kind, T message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        system.PublishEventAsync(Topology.WorkerEventKey(workerId, kind), JsonSerializer.SerializeToUtf8Bytes(message, type));

    private static async Task PublishAsync(IChannel channel, string exchange, byte[] body, IDictionary<string, object?>? headers)
    {
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json", Headers = headers };
        await channel.BasicPublishAsync(exchange, "", true, properties, body);
    }
}
