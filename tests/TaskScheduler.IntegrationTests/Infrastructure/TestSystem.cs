using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using NUnit.Framework.Interfaces;
using RabbitMQ.Client;
using TaskScheduler.Broker;
using TaskScheduler.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// One whole system for one test: its own topology prefix, journal and HTTP port on the shared broker, with the
/// scheduler and workers as real processes. Disposing it kills the processes, removes its broker objects, and
/// attaches the logs when the test failed. Over 400 lines because it is the one place that starts and reads a whole
/// system (processes, broker, HTTP); what operates on tasks lives in <see cref="TaskOperations"/>.
/// </summary>
public sealed class TestSystem : IAsyncDisposable
{
    private readonly List<ChildProcess> _processes = [];
    private readonly HashSet<string> _workerIds = [];
    private readonly IConnection _connection;
    private readonly IChannel _publish;
    private static int _schedulerStarts;
    private static int _workerStarts;

    private TestSystem(string prefix, string directory, int port, string brokerUrl, IConnection connection, IChannel publish)
    {
        Prefix = prefix;
        BrokerUrl = brokerUrl;
        Directory = directory;
        SchedulerUrl = $"http://127.0.0.1:{port}";
        Api = new HttpClient { BaseAddress = new Uri(SchedulerUrl), Timeout = TimeSpan.FromSeconds(30) };
        _connection = connection;
        _publish = publish;
    }

    public string Prefix { get; }

    /// <summary>The broker the whole system uses: the shared one, or a test's own <see cref="RabbitNode"/>.</summary>
    public string BrokerUrl { get; }

    public Topology Topology => new(Prefix);

    public string Directory { get; }

    public string JournalPath => Path.Combine(Directory, "journal.db");

    public string SchedulerUrl { get; }

    public HttpClient Api { get; }

    public IConnection Connection => _connection;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Two seconds of silence: quick to detect a kill, yet no false deaths on a loaded 2-core CI machine.</summary>
    public int MissedHeartbeats { get; set; } = 8;

    public ChildProcess? Scheduler { get; private set; }

    /// <summary>How many scheduler and worker processes every system of this test run started: the suite's main cost.</summary>
    public static (int Schedulers, int Workers) Starts => (Volatile.Read(ref _schedulerStarts), Volatile.Read(ref _workerStarts));

    public static async Task<TestSystem> CreateAsync(string? brokerUrl = null)
    {
        brokerUrl ??= BrokerSetup.Url;
        var prefix = $"t{Guid.NewGuid():N}"[..9];
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "runs", $"{TestContext.CurrentContext.Test.MethodName ?? TestContext.CurrentContext.Test.Name}-{prefix}");
        System.IO.Directory.CreateDirectory(directory);
        // One broker, or a cluster's nodes separated by commas (as Broker:Url takes them): the test's own connection
        // fails over between them like the programs'.
        var address = BrokerAddress.Parse(brokerUrl, hosts: null);
        var connection = await new ConnectionFactory
        {
            Uri = address.Uri,
            ClientProvidedName = $"test {prefix}",
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        }.CreateConnectionAsync([.. address.Endpoints.Select(e => new AmqpTcpEndpoint(e.Host, e.Port))]);
        var publish = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        return new TestSystem(prefix, directory, FreePort(), brokerUrl, connection, publish);
    }

    public async Task StartSchedulerAsync(IEnumerable<string>? extraArgs = null)
    {
        if (Scheduler is { HasExited: false })
        {
            throw new InvalidOperationException("The scheduler is already running.");
        }

        Scheduler = Start("scheduler", Repository.Program("Scheduler", "TaskScheduler.Scheduler.dll"),
        [
            "--urls", SchedulerUrl,
            $"--Broker:Url={BrokerUrl}",
            $"--Broker:Prefix={Prefix}",
            $"--Journal:Path={JournalPath}",
            $"--Scheduler:HeartbeatInterval={HeartbeatInterval}",
            $"--Scheduler:MissedHeartbeats={MissedHeartbeats}",
            .. extraArgs ?? [],
        ]);

        var scheduler = Scheduler;
        Interlocked.Increment(ref _schedulerStarts);
        await Eventually.That(async () =>
        {
            if (scheduler.HasExited)
            {
                Assert.Fail($"The scheduler exited with {scheduler.ExitCode}:\n{scheduler.ReadLog()}");
            }

            try
            {
                using var response = await Api.GetAsync(new Uri("/health", UriKind.Relative));
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false; // Not listening yet.
            }
        }, TimeSpan.FromSeconds(90), "the scheduler to answer /health");
    }

    public ChildProcess StartWorker(
        string id, int capacity = 4, TimeSpan? minRun = null, TimeSpan? maxRun = null, double failureRate = 0, TimeSpan? drain = null,
        IEnumerable<string>? extraArgs = null)
    {
        _workerIds.Add(id);
        Interlocked.Increment(ref _workerStarts);
        return Start(id, Repository.Program("Worker", "TaskScheduler.Worker.dll"),
        [
            $"--Broker:Url={BrokerUrl}",
            $"--Broker:Prefix={Prefix}",
            $"--Worker:Id={id}",
            $"--Worker:Capacity={capacity}",
            $"--Worker:HeartbeatInterval={HeartbeatInterval}",
            $"--Worker:MinRunTime={minRun ?? TimeSpan.Zero}",
            $"--Worker:MaxRunTime={maxRun ?? TimeSpan.FromMilliseconds(20)}",
            $"--Worker:FailureRate={failureRate.ToString(CultureInfo.InvariantCulture)}",
            $"--Worker:DrainTimeout={drain ?? TimeSpan.FromSeconds(20)}",
            .. extraArgs ?? [],
        ]);
    }

    /// <summary>
    /// Starts a worker program other than the ready-made one (a host with handlers of its own, built by the solution)
    /// with this system's broker, prefix and heartbeat.
    /// </summary>
    public ChildProcess StartWorkerProgram(string id, string dll, int capacity = 4, IEnumerable<string>? extraArgs = null)
    {
        _workerIds.Add(id);
        Interlocked.Increment(ref _workerStarts);
        return Start(id, dll,
        [
            $"--Broker:Url={BrokerUrl}",
            $"--Broker:Prefix={Prefix}",
            $"--Worker:Id={id}",
            $"--Worker:Capacity={capacity}",
            $"--Worker:HeartbeatInterval={HeartbeatInterval}",
            $"--Worker:DrainTimeout={TimeSpan.FromSeconds(20)}",
            .. extraArgs ?? [],
        ]);
    }

    /// <summary>The process of a worker this system started, by its id.</summary>
    public ChildProcess Worker(string id) => _processes.Last(p => p.Name == id);

    /// <summary>Waits until the scheduler lists exactly these workers as alive.</summary>
    public async Task WaitForWorkersAsync(params string[] ids)
    {
        var wanted = ids.ToHashSet();
        await Eventually.Returns(
            GetWorkersAsync,
            workers => workers.Where(w => w.Confirmed).Select(w => w.Id).ToHashSet().SetEquals(wanted),
            TimeSpan.FromSeconds(60),
            $"the scheduler to list exactly the workers [{string.Join(", ", wanted)}]",
            workers => $"[{string.Join(", ", workers.Select(w => w.Confirmed ? w.Id : $"{w.Id} (unconfirmed)"))}]");
    }

    public async Task<WorkerView[]> GetWorkersAsync() =>
        await Api.GetFromJsonAsync(new Uri("/api/workers", UriKind.Relative), WireJson.Default.WorkerViewArray) ?? [];

    public async Task<TaskStatusView?> GetTaskAsync(Guid id)
    {
        using var response = await Api.GetAsync(new Uri($"/api/tasks/{id}", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(WireJson.Default.TaskStatusView);
    }

    /// <summary>
    /// Asks the scheduler, the journal's voice, for each task until all are final or the time is up. Returns the
    /// final statuses; the tasks still unfinished at the deadline are missing from it.
    /// </summary>
    public async Task<Dictionary<Guid, TaskStatusView>> WaitForFinalStatesAsync(IEnumerable<Guid> ids, TimeSpan timeout)
    {
        var finals = new Dictionary<Guid, TaskStatusView>();
        var unfinished = ids.ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (unfinished.Count > 0 && DateTime.UtcNow < deadline)
        {
            var next = new List<Guid>();
            foreach (var id in unfinished)
            {
                var status = await GetTaskAsync(id);
                if (status is not null && status.State.IsFinal())
                {
                    finals[id] = status;
                }
                else
                {
                    next.Add(id);
                }
            }

            unfinished = next;
            if (unfinished.Count > 0)
            {
                await Task.Delay(500);
            }
        }

        return finals;
    }

    /// <summary>The client library, pointed at this system as a service's configuration would point it.</summary>
    public TaskSchedulerClient CreateClient(TimeSpan? statusPollInterval = null, TimeSpan? unknownTaskGrace = null) => new(new TaskSchedulerClientOptions
    {
        Broker = new BrokerOptions { Url = BrokerUrl, Prefix = Prefix },
        SchedulerUrl = new Uri(SchedulerUrl),
        StatusPollInterval = statusPollInterval ?? TimeSpan.FromSeconds(10),
        UnknownTaskGrace = unknownTaskGrace ?? TaskSchedulerClientOptions.DefaultUnknownTaskGrace,
    });

    public Task<EventRecorder> RecordEventsAsync() => EventRecorder.StartAsync(_connection, Topology);

    /// <summary>Records task events on a durable queue, so that the record survives a broker restart.</summary>
    public Task<EventRecorder> RecordEventsDurablyAsync() => EventRecorder.StartAsync(_connection, Topology, DurableEventsQueue);

    private string DurableEventsQueue => $"{Prefix}.test.events";

    /// <summary>Publishes a submission to the submit exchange, as any producer would, and waits for the broker's confirm.</summary>
    public Task SubmitAsync(SubmitTask task) => PublishAsync(JsonSerializer.SerializeToUtf8Bytes(task, WireJson.Default.SubmitTask));

    public async Task PublishAsync(byte[] body)
    {
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" };
        await _publish.BasicPublishAsync(Topology.SubmitExchange, "", true, properties, body);
    }

    /// <summary>
    /// Publishes a batch submission (AMQP <c>type</c> <c>submit-batch</c>), as a plain AMQP producer would, naming
    /// <paramref name="replyTo"/> for the per-task answer when given; waits for the broker's confirm.
    /// </summary>
    public async Task PublishBatchAsync(byte[] body, string? replyTo = null, string? correlationId = null)
    {
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = "application/json",
            Type = Topology.SubmitTypes.Batch,
            ReplyTo = replyTo,
            CorrelationId = correlationId,
        };
        await _publish.BasicPublishAsync(Topology.SubmitExchange, "", true, properties, body);
    }

    /// <summary>Takes every message currently in the rejected-submissions queue.</summary>
    public async Task<List<RejectedMessage>> DrainRejectedAsync()
    {
        await using var channel = await _connection.CreateChannelAsync();
        var taken = new List<RejectedMessage>();
        while (await channel.BasicGetAsync(Topology.RejectedQueue, autoAck: true) is { } message)
        {
            var reason = message.BasicProperties.Headers?[Topology.RejectReasonHeader] is byte[] raw
                ? System.Text.Encoding.UTF8.GetString(raw)
                : "";
            taken.Add(new RejectedMessage(message.Body.ToArray(), reason));
        }

        return taken;
    }

    /// <summary>Publishes any bytes to the events exchange under any routing key, and waits for the confirm.</summary>
    public async Task PublishEventAsync(string routingKey, byte[] body) =>
        await _publish.BasicPublishAsync(Topology.EventsExchange, routingKey, false, new BasicProperties(), body);

    /// <summary>How many messages wait in a queue of this system.</summary>
    public async Task<uint> CountMessagesAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Publishes a message on <c>worker.{id}.{kind}</c> as if a worker had sent it.</summary>
    /// <summary>Publishes one result as worker <paramref name="workerId"/>'s <c>results</c> message.</summary>
    public async Task PublishWorkerResultAsync(string workerId, TaskFinished result)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new TasksFinished(result.WorkerId, [result]), WireJson.Default.TasksFinished);
        await _publish.BasicPublishAsync(Topology.EventsExchange, Topology.WorkerEventKey(workerId, Topology.WorkerEvents.Results), false, new BasicProperties(), body);
    }

    /// <summary>Publishes many submissions with a window of outstanding confirms.</summary>
    public async Task SubmitAllAsync(IEnumerable<SubmitTask> tasks)
    {
        var pending = new List<Task>();
        foreach (var task in tasks)
        {
            pending.Add(SubmitAsync(task));
            if (pending.Count >= 200)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>After a broker restart: waits until this test's own connection has recovered too.</summary>
    public async Task WaitForBrokerConnectionAsync()
    {
        await Eventually.That(() => _connection.IsOpen && _publish.IsOpen, TimeSpan.FromSeconds(60), "the test's broker connection to recover");
    }

    /// <summary>The log files of every worker process this system started.</summary>
    public IEnumerable<string> WorkerLogs() => _workerIds.Select(id => Path.Combine(Directory, $"{id}.log")).Where(File.Exists);

    /// <summary>The scheduler's counters as GET /api/stats shows them.</summary>
    public async Task<JsonElement> GetCountersAsync()
    {
        using var stats = JsonDocument.Parse(await Api.GetStringAsync(new Uri("/api/stats", UriKind.Relative)));
        return stats.RootElement.GetProperty("counters").Clone();
    }

    public ChildProcess Start(string name, string dll, IEnumerable<string> args)
    {
        var process = ChildProcess.Start(name, dll, args, Directory);
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await WriteLogsAsync(attach: true);
        }

        if (_connection.IsOpen)
        {
            await RemoveTopologyAsync();
        }

        await _publish.DisposeAsync();
        await _connection.DisposeAsync();
        Api.Dispose();
    }

    /// <summary>The last lines of every log of this system in the test's output, and the whole logs attached when asked.</summary>
    public async Task WriteLogsAsync(bool attach)
    {
        foreach (var log in System.IO.Directory.GetFiles(Directory, "*.log"))
        {
            if (attach)
            {
                TestContext.AddTestAttachment(log);
            }

            string[] lines;
            using (var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
            {
                lines = (await reader.ReadToEndAsync()).Split('\n');
            }

            await TestContext.Out.WriteLineAsync($"--- last lines of {Path.GetFileName(log)} ---");
            foreach (var line in lines.TakeLast(40))
            {
                await TestContext.Out.WriteLineAsync(line);
            }
        }
    }

    private async Task RemoveTopologyAsync()
    {
        var queues = new List<string>
        {
            Topology.SubmitQueue, Topology.RejectedQueue, Topology.SchedulerEventsQueue, Topology.StatusQueue, Topology.CancelQueue, DurableEventsQueue,
        };
        queues.AddRange(_workerIds.SelectMany(id => new[] { Topology.WorkerQueue(id), Topology.WorkerControlQueue(id) }));
        await using var channel = await _connection.CreateChannelAsync();
        foreach (var queue in queues)
        {
            await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
        }

        await channel.ExchangeDeleteAsync(Topology.SubmitExchange, ifUnused: false);
        await channel.ExchangeDeleteAsync(Topology.EventsExchange, ifUnused: false);
        await channel.ExchangeDeleteAsync(Topology.CancelExchange, ifUnused: false);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
