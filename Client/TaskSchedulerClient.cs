using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskScheduler.Client.Broker;
using TaskScheduler.Client.Events;
using TaskScheduler.Client.Http;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Client;

/// <summary>
/// The client of a TaskScheduler system. Submissions go over the broker with publisher confirms, so a submission
/// that returned is stored even while the scheduler is down; events come from the broker; status, large results and
/// cancellation from the scheduler's HTTP API. Create one per application (or register it with
/// <c>services.AddTaskSchedulerClient()</c>) and dispose it at the end.
/// </summary>
public sealed class TaskSchedulerClient : ITaskSchedulerClient
{
    private readonly TaskSchedulerClientOptions _options;
    private readonly ILogger _logger;
    private readonly BrokerConnection _broker;
    private readonly EventRouter _router;
    private readonly SchedulerHttp _http;
    private readonly TaskEventSequence _sequence;
    private readonly Lazy<BatchRequests> _batches;

    /// <param name="options">Where the system is; see <see cref="TaskSchedulerClientOptions"/>.</param>
    /// <param name="http">An <see cref="HttpClient"/> to use for the API (one from a factory, say); by default the client makes its own.</param>
    /// <param name="logger">Where to log the unusual; nothing by default.</param>
    public TaskSchedulerClient(TaskSchedulerClientOptions options, HttpClient? http = null, ILogger<TaskSchedulerClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(TaskSchedulerClientOptions.Section, typeof(TaskSchedulerClientOptions), problems);
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _broker = new BrokerConnection(options.Broker, options.ConnectionName, _logger);
        _router = new EventRouter(_broker, _logger);
        _http = new SchedulerHttp(new SchedulerEndpoints(options.Endpoints), options.ApiKey, http);
        _sequence = new TaskEventSequence(_http.GetTaskAsync, options.StatusPollInterval, options.UnknownTaskGrace, _logger);
        _batches = new Lazy<BatchRequests>(() => new BatchRequests(_broker, _logger));
    }

    public Topology Topology => _broker.Topology;

    public Task SubmitAsync(SubmitTask task, CancellationToken cancellationToken = default)
    {
        SubmissionChecks.Check(task);
        return SubmitJsonAsync(JsonSerializer.SerializeToUtf8Bytes(task, WireJson.Default.SubmitTask), cancellationToken);
    }

    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = ITaskSchedulerClient.OverloadsByFirstParameter)]
    public Task<Guid> SubmitAsync(string payload, int priority = 0, CancellationToken cancellationToken = default) =>
        SubmitNewAsync(NewTask(payload, priority, configure: null), cancellationToken);

    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = ITaskSchedulerClient.OverloadsByFirstParameter)]
    public Task<Guid> SubmitAsync(string payload, Func<SubmitTask, SubmitTask> configure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return SubmitNewAsync(NewTask(payload, priority: 0, configure), cancellationToken);
    }

    /// <summary>A task under a new id, with the options <paramref name="configure"/> sets; whatever id it sets is replaced.</summary>
    internal static SubmitTask NewTask(string payload, int priority, Func<SubmitTask, SubmitTask>? configure)
    {
        var task = new SubmitTask(Guid.NewGuid(), payload, priority);
        return configure is null ? task : configure(task) with { Id = task.Id };
    }

    private async Task<Guid> SubmitNewAsync(SubmitTask task, CancellationToken cancellationToken)
    {
        await SubmitAsync(task, cancellationToken);
        return task.Id;
    }

    public Task SubmitGraphAsync(IReadOnlyCollection<SubmitTask> graph, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Count == 0)
        {
            throw new ArgumentException("a graph has at least one task", nameof(graph));
        }

        foreach (var task in graph)
        {
            SubmissionChecks.Check(task);
        }

        return SubmitJsonAsync(JsonSerializer.SerializeToUtf8Bytes(graph.ToArray(), WireJson.Default.SubmitTaskArray), cancellationToken);
    }

    public Task SubmitManyAsync(IEnumerable<SubmitTask> tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return PublishAllAsync(tasks, task => SubmitAsync(task, cancellationToken), cancellationToken);
    }

    public Task SubmitInBatchesAsync(IEnumerable<SubmitTask> tasks, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return PublishAllAsync(tasks.Chunk(batchSize), batch => PublishBatchJsonAsync(SubmissionChecks.BatchBody(batch), cancellationToken), cancellationToken);
    }

    public Task<SubmitTasksReply> SubmitBatchWithOutcomesAsync(IReadOnlyCollection<SubmitTask> tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return SubmitBatchJsonWithOutcomesAsync(SubmissionChecks.BatchBody(tasks), cancellationToken);
    }

    public Task<SubmitTasksReply> SubmitBatchJsonWithOutcomesAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default) =>
        _batches.Value.SubmitAsync(utf8Json, cancellationToken);

    public Task PublishBatchJsonAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default) =>
        _broker.PublishAsync(_broker.Topology.SubmitExchange, utf8Json, Topology.SubmitTypes.Batch, cancellationToken);

    /// <summary>Publishes each item, up to <see cref="TaskSchedulerClientOptions.PublishWindow"/> awaiting the broker's confirm at once.</summary>
    private async Task PublishAllAsync<T>(IEnumerable<T> items, Func<T, Task> publish, CancellationToken cancellationToken)
    {
        using var window = new SemaphoreSlim(_options.PublishWindow, _options.PublishWindow);
        var inFlight = new List<Task>();
        Exception? failure = null;
        foreach (var item in items)
        {
            await window.WaitAsync(cancellationToken);
            if (Volatile.Read(ref failure) is not null)
            {
                break;
            }

            inFlight.Add(PublishOneAsync(item));
        }

        await Task.WhenAll(inFlight);
        if (failure is not null)
        {
            throw failure;
        }

        async Task PublishOneAsync(T item)
        {
            try
            {
                await publish(item);
            }
#pragma warning disable CA1031 // The first failure stops the submitting and is rethrown once those in flight are done.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            finally
            {
                window.Release();
            }
        }
    }

    public Task SubmitJsonAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default) =>
        _broker.PublishAsync(_broker.Topology.SubmitExchange, utf8Json, Topology.SubmitTypes.One, cancellationToken);

    public async Task<TaskEnd> WaitAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        await using var follow = await _router.FollowAsync(taskId, cancellationToken);
        return await EndOfAsync(taskId, follow, submittedHere: false, cancellationToken);
    }

    public async Task<string?> GetResultAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        (await WaitAsync(taskId, cancellationToken)).ResultOrThrow();

    public async Task<TaskEnd> SubmitAndWaitAsync(SubmitTask task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        await using var follow = await _router.FollowAsync(task.Id, cancellationToken);
        await SubmitAsync(task, cancellationToken);
        return await EndOfAsync(task.Id, follow, submittedHere: true, cancellationToken);
    }

    public async IAsyncEnumerable<TaskEnd> SubmitGraphAndWaitAsync(
        IReadOnlyCollection<SubmitTask> graph, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var follows = new List<(Guid Id, TaskFollow Follow)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = new List<Task>();
        try
        {
            foreach (var task in graph)
            {
                follows.Add((task.Id, await _router.FollowAsync(task.Id, cancellationToken)));
            }

            await SubmitGraphAsync(graph, cancellationToken);
            var ended = Channel.CreateUnbounded<Task<TaskEnd>>();
            foreach (var (id, follow) in follows)
            {
                var wait = EndOfAsync(id, follow, submittedHere: true, stop.Token);
                waits.Add(wait);
                _ = wait.ContinueWith(t => ended.Writer.TryWrite(t), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, System.Threading.Tasks.TaskScheduler.Default);
            }

            var remaining = follows.Select(f => f.Id).ToHashSet();
            while (remaining.Count > 0)
            {
                var end = await (await ended.Reader.ReadAsync(cancellationToken));
                if (!remaining.Remove(end.TaskId))
                {
                    continue;
                }

                yield return end;
                if (end.Kind == TaskEventKind.Rejected)
                {
                    // One graph, one verdict: the scheduler may name only one of its tasks in the rejection.
                    await stop.CancelAsync();
                    foreach (var id in remaining)
                    {
                        yield return end with { TaskId = id };
                    }

                    yield break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var wait in waits)
            {
                await wait.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, System.Threading.Tasks.TaskScheduler.Default);
            }

            foreach (var (_, follow) in follows)
            {
                await follow.DisposeAsync();
            }
        }
    }

    public async IAsyncEnumerable<TaskEvent> WatchAsync(Guid taskId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var follow = await _router.FollowAsync(taskId, cancellationToken);
        await foreach (var e in _sequence.EventsOfAsync(taskId, follow.Events, submittedHere: false, cancellationToken))
        {
            yield return e;
        }
    }

    public async IAsyncEnumerable<TaskEvent> SubmitAndWatchAsync(SubmitTask task, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        await using var follow = await _router.FollowAsync(task.Id, cancellationToken);
        await SubmitAsync(task, cancellationToken);
        await foreach (var e in _sequence.EventsOfAsync(task.Id, follow.Events, submittedHere: true, cancellationToken))
        {
            yield return e;
        }
    }

    public Task<TaskStatusView?> GetStatusAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        _http.GetTaskAsync(taskId, cancellationToken);

    public Task<CancelResult> CancelAsync(Guid taskId, string? reason = null, CancellationToken cancellationToken = default) =>
        _http.CancelAsync(taskId, reason, cancellationToken);

    public Task<TaskPage> ListTasksAsync(TaskListFilter filter, CancellationToken cancellationToken = default) =>
        _http.ListTasksAsync(filter, cancellationToken);

    public Task<TaskActionResult> RetryAsync(Guid taskId, string? reason = null, CancellationToken cancellationToken = default) =>
        _http.ActAsync(HttpMethod.Post, $"api/tasks/{taskId:D}/retry", new TaskActionRequestBody(reason, null), cancellationToken);

    public Task<RetryManyResult> RetryManyAsync(TaskListFilter filter, string? reason = null, CancellationToken cancellationToken = default) =>
        _http.RetryManyAsync(filter, reason, cancellationToken);

    public Task<TaskActionResult> ChangePriorityAsync(Guid taskId, int priority, string? reason = null, CancellationToken cancellationToken = default) =>
        _http.ActAsync(HttpMethod.Put, $"api/tasks/{taskId:D}/priority", new TaskActionRequestBody(reason, priority), cancellationToken);

    public Task<TaskActionResult> DeleteAsync(Guid taskId, string? reason = null, CancellationToken cancellationToken = default) =>
        _http.ActAsync(HttpMethod.Delete, $"api/tasks/{taskId:D}{(reason is null ? "" : "?reason=" + Uri.EscapeDataString(reason))}", null, cancellationToken);

    public async Task<string> SetScheduleAsync(
        string name, string cron, SubmitTask task, string timeZone = "UTC", bool skipMisfires = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var body = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(task, WireJson.Default.SubmitTask))!.AsObject();
        body.Remove("id");
        body["name"] = name;
        body["cron"] = cron;
        body["timeZone"] = timeZone;
        body["misfire"] = skipMisfires ? "skip" : "run-once";
        var (_, answer) = await _http.SendAsync(HttpMethod.Post, "api/schedules", body, cancellationToken);
        using var document = JsonDocument.Parse(answer);
        return document.RootElement.GetProperty("state").GetString()!;
    }

    public async Task<IReadOnlyList<ScheduleView>> GetSchedulesAsync(CancellationToken cancellationToken = default)
    {
        var (_, answer) = await _http.SendAsync(HttpMethod.Get, "api/schedules", null, cancellationToken);
        return JsonSerializer.Deserialize(answer, WireJson.Default.ScheduleViewArray) ?? [];
    }

    public async Task<bool> PauseScheduleAsync(string name, bool paused = true, CancellationToken cancellationToken = default)
    {
        var (status, _) = await _http.SendAsync(
            HttpMethod.Post, $"api/schedules/{Uri.EscapeDataString(name)}/{(paused ? "pause" : "resume")}", null, cancellationToken);
        return status != System.Net.HttpStatusCode.NotFound;
    }

    public async Task<bool> RemoveScheduleAsync(string name, CancellationToken cancellationToken = default)
    {
        var (status, _) = await _http.SendAsync(HttpMethod.Delete, $"api/schedules/{Uri.EscapeDataString(name)}", null, cancellationToken);
        return status != System.Net.HttpStatusCode.NotFound;
    }

    public async Task<IAsyncDisposable> SubscribeAsync(
        IReadOnlyCollection<TaskEventKind> kinds, Action<TaskEvent> onEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(onEvent);
        return await EventFeed.StartAsync(_broker, kinds, onEvent, _logger, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        if (_batches.IsValueCreated)
        {
            await _batches.Value.DisposeAsync();
        }

        await _broker.DisposeAsync();
        _http.Dispose();
    }

    private async Task<TaskEnd> EndOfAsync(Guid taskId, TaskFollow follow, bool submittedHere, CancellationToken ct)
    {
        TaskEvent? last = null;
        await foreach (var e in _sequence.EventsOfAsync(taskId, follow.Events, submittedHere, ct))
        {
            last = e;
        }

        // The events end only with the task's end, or by cancellation, which has thrown.
        return TaskEnd.From(last!);
    }
}
