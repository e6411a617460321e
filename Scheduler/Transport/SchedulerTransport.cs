using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Broker;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// The scheduler's side of RabbitMQ, on the raw client because it is the hot path: three consumers (submissions,
/// worker events, cancel requests; <see cref="QueueConsumer"/>) that feed the loop, and one publishing channel with
/// publisher confirms. Over 400 lines because the connection's events, the consumers' setup and the publishing with
/// its retry share one connection and its recovery; splitting them would spread that lifecycle over several types.
/// </summary>
public sealed class SchedulerTransport : IInputSource, ITurnPublisher, IAsyncDisposable
{
    private const int MaxPublishAttempts = 35;

    /// <summary>Bound to no queue: probes are dropped by the exchange (no worker routing key looks like it).</summary>
    private const string ProbeRoutingKey = "scheduler.probe";

    private readonly BrokerOptions _options;
    private readonly TransportSettings _settings;
    private readonly TaskTracing _tracing;
    private readonly BrokerHealth _health;
    private readonly PublishedEvents _published;
    private readonly ILogger<SchedulerTransport> _logger;
    private IConnection? _connection;
    private QueueConsumer? _submit;
    private SubmitWindow? _submitWindow;
    private QueueConsumer? _events;
    private QueueConsumer? _cancels;
    private PublishingChannel? _publishing;
    private IChannel? _adminChannel;
    private int _probing;
    private readonly SubmitReplies _replies;

    public SchedulerTransport(
        IOptions<BrokerOptions> options,
        TransportSettings settings,
        TaskTracing tracing,
        BrokerHealth health,
        IOptions<EventsOptions> events,
        ILogger<SchedulerTransport> logger)
    {
        _published = events.Value.Published();
        if (!_published.PublishesEnds)
        {
            logger.LogWarning(
                "{Section}:States publishes {States}: clients waiting for a task learn of its end by polling its status instead " +
                "(the client's StatusPollInterval, 10 s by default), and of a refused broker submission only from the rejected queue",
                EventsOptions.Section, _published);
        }

        _health = health;
        _options = options.Value;
        _settings = settings;
        _tracing = tracing;
        _logger = logger;
        _replies = new SubmitReplies(() => PublishChannel, logger);
    }

    public Topology Topology => _options.Topology;

    public string Prefix => _options.Prefix;

    private IChannel PublishChannel => (_publishing ?? throw new InvalidOperationException("The transport has not started.")).Current;

    public async Task StartAsync(ChannelWriter<SchedulerInput> inputs, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = _options.Address.Uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            ClientProvidedName = $"{_options.Prefix} scheduler",
        };
        _connection = await factory.ConnectWithRetryAsync(
            _options.Address, (e, delay) => _logger.LogWarning("Broker not reachable ({Error}); retrying in {Delay}", e.Message, delay), ct);
        // Heartbeats cannot arrive while we are cut off; the core must not take that silence for dead workers.
        _connection.ConnectionShutdownAsync += async (_, reason) =>
        {
            if (reason.Initiator != ShutdownInitiator.Application)
            {
                _logger.LogWarning("Broker connection lost: {Reason}", reason.ReplyText);
                _health.ConnectionDown($"broker connection lost: {reason.ReplyText}");
                await inputs.WriteAsync(new BrokerConnectionChanged(false), CancellationToken.None);
            }
        };
        // A memory or disk alarm blocks every publisher: workers' heartbeats cannot reach us either.
        _connection.ConnectionBlockedAsync += async (_, e) =>
        {
            _logger.LogWarning("The broker blocked the connection: {Reason}", e.Reason);
            _health.Blocked($"the broker blocks publishing: {e.Reason}");
            await inputs.WriteAsync(new BrokerBlocked(true, e.Reason), CancellationToken.None);
        };
        _connection.ConnectionUnblockedAsync += async (_, _) =>
        {
            _logger.LogInformation("The broker unblocked the connection");
            _health.Blocked(null);
            await inputs.WriteAsync(new BrokerBlocked(false, "unblocked"), CancellationToken.None);
        };
        _connection.RecoverySucceededAsync += async (_, _) =>
        {
            _logger.LogInformation("Broker connection recovered");
            _health.ConnectionUp();
            await inputs.WriteAsync(new BrokerConnectionChanged(true), CancellationToken.None);
        };

        _adminChannel = await _connection.CreateChannelAsync(cancellationToken: ct);
        await SchedulerTopology.DeclareAsync(_adminChannel, Topology, _options.QueueArguments(), ct);
        await DeclareRejectedQueueAsync(ct);

        _publishing = await PublishingChannel.CreateAsync(
            _connection,
            async c =>
            {
                await using var channel = await _connection.CreateChannelAsync(cancellationToken: c);
                await DeclareTopologyAsync(channel, c);
            },
            _logger,
            ct);

        async Task DeclareTopologyAsync(IChannel channel, CancellationToken c)
        {
            await SchedulerTopology.DeclareAsync(channel, Topology, _options.QueueArguments(), c);
            await DeclareRejectedQueueAsync(c);
        }

        _submitWindow = new SubmitWindow(_settings.SubmitBufferBytes, _settings.SubmitPrefetch, SubmissionParser.MaxBodyBytes);
        // Two limits, both enforced by the broker: per consumer (the most a turn can take), and per channel, which
        // follows the size of the messages so that unacknowledged submissions stay within a memory budget. Quorum
        // queues refuse a channel-wide limit: there the per-consumer one alone applies (docs/architecture.md).
        var adaptive = !_options.UsesQuorumQueues;
        _submit = new QueueConsumer(
            _connection,
            Topology.SubmitQueue,
            async (channel, c) =>
            {
                await channel.BasicQosAsync(0, _settings.SubmitPrefetch, false, c);
                if (adaptive)
                {
                    await channel.BasicQosAsync(0, _submitWindow.Prefetch, true, c);
                }
            },
            DeclareTopologyAsync,
            (delivery, tag) =>
            {
                if (adaptive && _submitWindow.Observe(delivery.Body.Length) is { } prefetch)
                {
                    _ = ResizeSubmitWindowAsync(prefetch);
                }

                return OnSubmissionAsync(inputs, delivery, tag);
            },
            _health,
            _logger,
            ct);
        await _submit.StartAsync(ct);

        _events = new QueueConsumer(
            _connection,
            Topology.SchedulerEventsQueue,
            (channel, c) => channel.BasicQosAsync(0, _settings.EventsPrefetch, false, c),
            DeclareTopologyAsync,
            (delivery, tag) => OnWorkerEventAsync(inputs, delivery, tag),
            _health,
            _logger,
            ct);
        await _events.StartAsync(ct);

        _cancels = new QueueConsumer(
            _connection,
            Topology.CancelQueue,
            (channel, c) => channel.BasicQosAsync(0, _settings.SubmitPrefetch, false, c),
            DeclareTopologyAsync,
            (delivery, tag) => OnCancelRequestAsync(inputs, delivery, tag),
            _health,
            _logger,
            ct);
        await _cancels.StartAsync(ct);
    }

    /// <summary>
    /// Publishes the orders and notices of one committed turn and waits for their confirms. Returns the
    /// assignments the broker handed back because the worker's queue no longer exists.
    /// </summary>
    public async Task<IReadOnlyList<Assignment>> PublishOrdersAsync(
        IReadOnlyList<(Assignment Assignment, string Payload)> assignments,
        IReadOnlyList<TaskStateChanged> events,
        IReadOnlyList<WorkerCancel> cancels,
        IReadOnlyList<WorkerPreempt> preempts,
        CancellationToken ct)
    {
        var returned = new List<Assignment>();
        var sends = new List<Task>(assignments.Count + events.Count + cancels.Count + preempts.Count);
        foreach (var batch in AssignmentBatches.Split(assignments))
        {
            sends.Add(SendAssignmentsAsync(batch, returned, ct));
        }

        foreach (var cancel in cancels)
        {
            var body = AmqpMessages.Serialize(cancel.Order, WireJson.Default.CancelTask);
            sends.Add(RetryAsync(channel => channel.BasicPublishAsync("", Topology.WorkerControlQueue(cancel.WorkerId), false,
                AmqpMessages.Persistent(Topology.ControlTypes.Cancel), body, ct), ct));
        }

        foreach (var preempt in preempts)
        {
            var body = AmqpMessages.Serialize(preempt.Order, WireJson.Default.PreemptTask);
            sends.Add(RetryAsync(channel => channel.BasicPublishAsync("", Topology.WorkerControlQueue(preempt.WorkerId), false,
                AmqpMessages.Persistent(Topology.ControlTypes.Preempt), body, ct), ct));
        }

        foreach (var change in events)
        {
            if (!_published.Publishes(change.State))
            {
                continue;
            }

            var body = AmqpMessages.Serialize(change, WireJson.Default.TaskStateChanged);
            sends.Add(RetryAsync(channel => channel.BasicPublishAsync(Topology.EventsExchange, Topology.TaskEventKey(change.TaskId, change.State.ToWireName()),
                false, AmqpMessages.Persistent("task-state-changed"), body, ct), ct));
        }

        await Task.WhenAll(sends);
        return returned;
    }

    /// <summary>
    /// Copies rejected submissions, with their reason, to the rejected queue and announces them; the originals may
    /// be acknowledged only once this has been confirmed.
    /// </summary>
    public async Task PublishRejectionsAsync(IReadOnlyList<RejectedInput> rejected, IReadOnlyList<TaskRejected> rejectionEvents, CancellationToken ct)
    {
        var channel = await _publishing!.OpenAsync(ct);
        var sends = new List<Task>(rejected.Count + rejectionEvents.Count);
        foreach (var message in rejected)
        {
            var properties = AmqpMessages.Persistent("rejected-submission");
            properties.Headers = RejectionHeaders.For(message.Headers, message.Reason);
            sends.Add(channel.BasicPublishAsync("", Topology.RejectedQueue, false, properties, message.Body, ct).AsTask());
        }

        foreach (var rejection in rejectionEvents.Where(_ => _published.PublishesRejections))
        {
            var body = AmqpMessages.Serialize(rejection, WireJson.Default.TaskRejected);
            sends.Add(channel.BasicPublishAsync(Topology.EventsExchange, Topology.TaskEventKey(rejection.TaskId, Topology.RejectedKind),
                false, AmqpMessages.Persistent("task-rejected"), body, ct).AsTask());
        }

        await Task.WhenAll(sends);
    }

    /// <summary>
    /// Publishes a tiny message that no queue takes, unless the previous one still waits for its confirm. RabbitMQ tells
    /// a connection that a memory or disk alarm blocks it only once that connection publishes; workers' heartbeats are
    /// blocked at once, so without this an idle scheduler would take their silence for death before it learnt of the
    /// alarm.
    /// </summary>
    public void Probe()
    {
        if (_publishing is null || Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }

        _ = ProbeAsync(_publishing);
    }

    /// <summary>Stops consuming submissions and cancel requests (the journal cannot write): they wait in the broker.</summary>
    public async Task PauseAcceptingAsync(CancellationToken ct)
    {
        await _submit!.PauseAsync(ct);
        await _cancels!.PauseAsync(ct);
    }

    public async Task ResumeAcceptingAsync(CancellationToken ct)
    {
        await _submit!.ResumeAsync(ct);
        await _cancels!.ResumeAsync(ct);
    }

    public Task AckSubmissionsAsync(ulong upToTag, CancellationToken ct) => _submit!.AckAsync(upToTag, ct);

    public Task AckWorkerEventsAsync(ulong upToTag, CancellationToken ct) => _events!.AckAsync(upToTag, ct);

    public Task AckCancelsAsync(ulong upToTag, CancellationToken ct) => _cancels!.AckAsync(upToTag, ct);

    /// <summary>Removes the queues of a worker that left or was declared dead.</summary>
    public async Task DeleteWorkerQueuesAsync(string workerId, CancellationToken ct)
    {
        await _adminChannel!.QueueDeleteAsync(Topology.WorkerQueue(workerId), ifUnused: false, ifEmpty: false, cancellationToken: ct);
        await _adminChannel!.QueueDeleteAsync(Topology.WorkerControlQueue(workerId), ifUnused: false, ifEmpty: false, cancellationToken: ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var consumer in new[] { _submit, _events, _cancels })
        {
            if (consumer is not null)
            {
                await consumer.DisposeAsync();
            }
        }

        if (_publishing is not null)
        {
            await _publishing.DisposeAsync();
        }

        if (_adminChannel is not null)
        {
            await _adminChannel.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Sends one worker several orders in one message. Mandatory: if the worker's queue is gone the broker hands
    /// the message back instead of dropping it, and every order in it is returned to the core.
    /// </summary>
    private async Task SendAssignmentsAsync(
        IReadOnlyList<(Assignment Assignment, string Payload)> batch, List<Assignment> returned, CancellationToken ct)
    {
        var spans = new List<System.Diagnostics.Activity>(batch.Count);
        var orders = new List<AssignTask>(batch.Count);
        foreach (var (assignment, payload) in batch)
        {
            var span = _tracing.StartAssignment(assignment);
            if (span is not null)
            {
                spans.Add(span);
            }

            orders.Add(new AssignTask(assignment.TaskId, assignment.Attempt, assignment.Priority, payload, assignment.AssignedAt)
            {
                Checkpoint = assignment.Checkpoint,
                Timeout = assignment.Timeout,
                TraceParent = span?.Id,
                TraceState = string.IsNullOrEmpty(span?.TraceStateString) ? null : span.TraceStateString,
            });
        }

        var workerId = batch[0].Assignment.WorkerId;
        var body = AmqpMessages.Serialize(new AssignTasks(orders), WireJson.Default.AssignTasks);
        try
        {
            await RetryAsync(channel => channel.BasicPublishAsync("", Topology.WorkerQueue(workerId), true,
                AssignmentProperties(), body, ct), ct);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            spans.ForEach(s => s.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "returned: the worker's queue is gone"));
            lock (returned)
            {
                returned.AddRange(batch.Select(b => b.Assignment));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Still Running in the journal: the worker's heartbeats will not list them, and reconciliation requeues them.
            _logger.LogWarning(e, "{Count} assignments to worker {WorkerId} were not confirmed", batch.Count, workerId);
        }
        finally
        {
            spans.ForEach(s => s.Dispose());
        }
    }

    /// <summary>
    /// Publishes until the broker confirms, riding out a connection loss (the client recovers the connection and
    /// this channel) and a channel the broker closed (<see cref="PublishingChannel"/> opens another), and the message
    /// is sent again. A duplicate is harmless (a worker runs an attempt once, task events are notices). Gives up after
    /// about a minute; what then stays unsent is covered by reconciliation.
    /// </summary>
    private async Task RetryAsync(Func<IChannel, ValueTask> publish, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await publish(await _publishing!.OpenAsync(ct));
                return;
            }
            catch (Exception e) when (attempt < MaxPublishAttempts && IsTransient(e))
            {
                if (attempt == 1)
                {
                    _logger.LogWarning("Publish failed ({Error}); retrying while the broker connection recovers", e.Message);
                }
            }

            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private async Task ProbeAsync(PublishingChannel publishing)
    {
        try
        {
            var channel = await publishing.OpenAsync(CancellationToken.None);
            await channel.BasicPublishAsync(Topology.EventsExchange, ProbeRoutingKey, false, new BasicProperties(), ReadOnlyMemory<byte>.Empty);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A lost connection is reported by its own events.
            _logger.LogDebug("Broker probe not confirmed: {Error}", e.Message);
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    /// <summary>
    /// Transient unless <c>Scheduler:PersistentAssignments</c>: the journal holds every assignment, and a
    /// worker's heartbeats reconcile what it holds, so an assignment a broker crash loses is requeued
    /// (docs/architecture.md, "Transient assignments").
    /// </summary>
    private BasicProperties AssignmentProperties() => _settings.PersistentAssignments
        ? AmqpMessages.Persistent(Topology.AssignmentTypes.Batch)
        : AmqpMessages.Transient(Topology.AssignmentTypes.Batch);

    private Task DeclareRejectedQueueAsync(CancellationToken ct) => SchedulerTopology.DeclareRejectedQueueAsync(
        _connection!, Topology, _options.QueueArguments(), _settings.RejectedQueue, warning => _logger.LogWarning("{Warning}", warning), ct);

    private static bool IsTransient(Exception e) =>
        e is AlreadyClosedException or OperationInterruptedException or IOException or PublishException { IsReturn: false };

    private async Task ResizeSubmitWindowAsync(ushort prefetch)
    {
        try
        {
            // Not on the consumer's dispatch: an RPC on the channel from inside its own delivery callback would wait
            // on itself. The client re-applies the latest limit when it recovers the channel.
            await Task.Yield();
            await _submit!.Channel!.BasicQosAsync(0, prefetch, true);
            _logger.LogDebug("Submission prefetch now {Prefetch}", prefetch);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Could not resize the submission prefetch to {Prefetch}: {Error}", prefetch, e.Message);
        }
    }

    private async Task OnSubmissionAsync(ChannelWriter<SchedulerInput> inputs, BasicDeliverEventArgs delivery, ulong tag)
    {
        // The body buffer belongs to the client only for the duration of this callback.
        var body = delivery.Body.ToArray();
        if (delivery.BasicProperties.Type == Topology.SubmitTypes.Batch)
        {
            var batchHeaders = delivery.BasicProperties.Headers is { } bh ? new Dictionary<string, object?>(bh) : null;
            await inputs.WriteAsync(
                BatchSubmissionReader.Read(tag, body, batchHeaders, _settings.MaxBatchTasks, _replies.For(delivery.BasicProperties)),
                delivery.CancellationToken);
            return;
        }

        ParsedSubmission? parsed;
        IReadOnlyList<ParsedSubmission>? graph;
        InputRejection? rejection;
        try
        {
            _ = SubmissionParser.TryParseMessage(body, out parsed, out graph, out rejection);
        }
#pragma warning disable CA1031 // Whatever a producer sends must end as a rejection, never as a stuck message.
        catch (Exception e)
#pragma warning restore CA1031
        {
            parsed = null;
            graph = null;
            rejection = new InputRejection(null, $"unreadable submission: {e.Message}");
        }

        var headers = delivery.BasicProperties.Headers is { } h ? new Dictionary<string, object?>(h) : null;
        await inputs.WriteAsync(
            new BrokerSubmission(tag, parsed, rejection, body, headers) { Graph = graph }, delivery.CancellationToken);
    }

    private static async Task OnCancelRequestAsync(ChannelWriter<SchedulerInput> inputs, BasicDeliverEventArgs delivery, ulong tag)
    {
        var body = delivery.Body.ToArray();
        CancelTask? request;
        InputRejection? rejection;
        try
        {
            _ = CancelRequestParser.TryParse(body, out request, out rejection);
        }
#pragma warning disable CA1031 // Whatever a producer sends must end as a rejection, never as a stuck message.
        catch (Exception e)
#pragma warning restore CA1031
        {
            request = null;
            rejection = new InputRejection(null, $"unreadable cancel request: {e.Message}");
        }

        var headers = delivery.BasicProperties.Headers is { } h ? new Dictionary<string, object?>(h) : null;
        await inputs.WriteAsync(new BrokerCancel(tag, request, rejection, body, headers), delivery.CancellationToken);
    }

    private static async Task OnWorkerEventAsync(ChannelWriter<SchedulerInput> inputs, BasicDeliverEventArgs delivery, ulong tag)
    {
        SchedulerInput input;
        try
        {
            var message = WorkerEventReader.Read(delivery.RoutingKey, delivery.Body.Span);
            if (message is TasksFinished results)
            {
                SchedulerStages.WorkerStarts(results);
            }

            input = new WorkerMessage(tag, message);
        }
#pragma warning disable CA1031 // Whatever arrives on the events exchange must be acknowledged and counted, never crash the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            input = new UnreadableWorkerMessage(tag, e.Message);
        }

        await inputs.WriteAsync(input, delivery.CancellationToken);
    }
}
