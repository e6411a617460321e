using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Broker;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Worker.Configuration;

namespace TaskScheduler.Worker.Transport;

/// <summary>
/// The worker's side of RabbitMQ: its own assignment queue (prefetch = capacity) and control queue, and a
/// confirmed publishing channel to the events exchange.
/// </summary>
internal sealed class WorkerTransport : IAsyncDisposable
{
    private readonly BrokerOptions _broker;
    private readonly WorkerOptions _options;
    private readonly ILogger<WorkerTransport> _logger;
    private IConnection? _connection;
    private IChannel? _publishChannel;
    private readonly SemaphoreSlim _reopening = new(1, 1);
    private IChannel? _consumeChannel;
    private List<string> _consumerTags = [];
    private readonly ResultBatcher _results;

    public WorkerTransport(IOptions<BrokerOptions> broker, IOptions<WorkerOptions> options, ILogger<WorkerTransport> logger)
    {
        _broker = broker.Value;
        _options = options.Value;
        _logger = logger;
        _results = new ResultBatcher(results => PublishAsync(
            Topology.WorkerEvents.Results,
            JsonSerializer.SerializeToUtf8Bytes(new TasksFinished(_options.Id, results), WireJson.Default.TasksFinished),
            CancellationToken.None,
            mandatory: true));
    }

    private Topology Topology => _broker.Topology;

    public async Task ConnectAsync(CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = _broker.Address.Uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            ClientProvidedName = $"{_broker.Prefix} worker {_options.Id}",
        };
        _connection = await factory.ConnectWithRetryAsync(
            _broker.Address, (e, delay) => _logger.LogWarning("Broker not reachable ({Error}); retrying in {Delay}", e.Message, delay), ct);
        _publishChannel = await WaitForEventsExchangeAsync(ct);
    }

    /// <summary>
    /// Empties this worker's queues before a new process of the same id consumes them. What a predecessor left
    /// there was meant for it; the scheduler requeues all of that when it hears "joined", and running it here as
    /// well would run one attempt twice.
    /// </summary>
    public async Task PurgeAsync(CancellationToken ct)
    {
        await DeclareQueuesAsync(ct);
        await using var channel = await _connection!.CreateChannelAsync(cancellationToken: ct);
        foreach (var queue in new[] { Topology.WorkerQueue(_options.Id), Topology.WorkerControlQueue(_options.Id) })
        {
            var purged = await channel.QueuePurgeAsync(queue, ct);
            if (purged > 0)
            {
                _logger.LogInformation("Purged {Count} messages left in {Queue} by a previous process", purged, queue);
            }
        }
    }

    /// <summary>
    /// Declares this worker's queues and consumes them on a fresh channel. Called at start, and again if the
    /// scheduler deleted the queues (it declared this worker dead) while the process was in fact alive.
    /// </summary>
    public async Task ConsumeAsync(
        Func<AssignTask, Delivery, Task> onAssignment,
        Func<CancelTask, Task> onCancel,
        Func<PreemptTask, Task> onPreempt,
        Func<SchedulerLeads, Task> onLeads,
        Func<string, Task> onQueueLost,
        CancellationToken ct)
    {
        var previous = _consumeChannel;
        var channel = await _connection!.CreateChannelAsync(cancellationToken: ct);
        await channel.BasicQosAsync(0, (ushort)_options.Capacity, false, ct);
        await DeclareQueuesAsync(ct);

        var assignments = new AsyncEventingBasicConsumer(channel);
        assignments.ReceivedAsync += async (_, delivery) =>
        {
            var orders = ReadOrders(delivery);
            if (orders.Count == 0)
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, false);
                return;
            }

            // One order: its trace context is in the headers. Several: each carries its own, and the message is
            // acknowledged when the last of them is done with.
            var parts = orders.Count > 1 ? new DeliveryParts(orders.Count) : null;
            var headerParent = TraceHeaders.Extract(delivery.BasicProperties.Headers);
            foreach (var order in orders)
            {
                var parent = TraceHeaders.Parse(order.TraceParent, order.TraceState) ?? headerParent;
                await onAssignment(order, new Delivery(channel, delivery.DeliveryTag) { Parent = parent, Parts = parts });
            }
        };
        assignments.UnregisteredAsync += (_, _) => onQueueLost("the broker cancelled our consumer: our queue was deleted, as when the scheduler declares us dead");

        var control = new AsyncEventingBasicConsumer(channel);
        control.ReceivedAsync += async (_, delivery) =>
        {
            try
            {
                // The AMQP type says which order it is; an untyped message is a cancel, as before preemption existed.
                if (delivery.BasicProperties.Type == Topology.ControlTypes.Preempt)
                {
                    if (JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.PreemptTask) is { } preempt)
                    {
                        await onPreempt(preempt);
                    }
                }
                else if (delivery.BasicProperties.Type == Topology.ControlTypes.Leads)
                {
                    if (JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.SchedulerLeads) is { } leads)
                    {
                        await onLeads(leads);
                    }
                }
                else if (JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.CancelTask) is { } cancel)
                {
                    await onCancel(cancel);
                }
            }
            catch (JsonException e)
            {
                _logger.LogWarning(e, "Dropped an unreadable control message");
            }
        };

        // A channel the broker closes on its own (consumer_timeout, a deleted queue) is not recovered by the client:
        // only connection failures are. Treat it like a lost queue and consume again.
        channel.ChannelShutdownAsync += (_, reason) =>
            reason.Initiator == ShutdownInitiator.Peer && _connection.IsOpen ? onQueueLost($"the broker closed our channel: {reason.ReplyText}") : Task.CompletedTask;

        _consumerTags =
        [
            await channel.BasicConsumeAsync(Topology.WorkerQueue(_options.Id), autoAck: false, consumer: assignments, cancellationToken: ct),
            await channel.BasicConsumeAsync(Topology.WorkerControlQueue(_options.Id), autoAck: true, consumer: control, cancellationToken: ct),
        ];
        _consumeChannel = channel;
        if (previous is not null)
        {
            await previous.DisposeAsync();
        }
    }

    /// <summary>
    /// Declares this worker's two queues to expire once unused for <see cref="WorkerOptions.QueueExpiry"/>, so a worker
    /// that dies while no scheduler deletes its queues leaves none behind. Queues declared by an older version keep
    /// their arguments (<see cref="BoundedQueue"/>).
    /// </summary>
    private async Task DeclareQueuesAsync(CancellationToken ct)
    {
        var bounds = new Dictionary<string, object?> { ["x-expires"] = (int)_options.QueueExpiry.TotalMilliseconds };
        foreach (var queue in new[] { Topology.WorkerQueue(_options.Id), Topology.WorkerControlQueue(_options.Id) })
        {
            await BoundedQueue.DeclareAsync(_connection!, queue, _broker.QueueArguments(), bounds, warning => _logger.LogWarning("{Warning}", warning), ct);
        }
    }

    private List<AssignTask> ReadOrders(BasicDeliverEventArgs delivery)
    {
        try
        {
            if (delivery.BasicProperties.Type == Topology.AssignmentTypes.Batch)
            {
                var batch = JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.AssignTasks);
                var readable = batch?.Tasks?.Where(t => t?.Payload is not null).ToList() ?? [];
                if (readable.Count < (batch?.Tasks?.Count ?? 0))
                {
                    _logger.LogWarning("Dropped {Count} unreadable orders of an assignment batch", batch!.Tasks!.Count - readable.Count);
                }

                return readable;
            }

            return JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.AssignTask) is { Payload: not null } order ? [order] : [];
        }
        catch (JsonException e)
        {
            _logger.LogWarning(e, "Dropped an unreadable assignment");
            return [];
        }
    }

    /// <summary>Stops new deliveries; what was delivered stays ours to finish and acknowledge.</summary>
    public async Task StopConsumingAsync()
    {
        if (_consumeChannel is { IsOpen: true } channel)
        {
            foreach (var tag in _consumerTags)
            {
                await channel.BasicCancelAsync(tag);
            }
        }
    }

    public Task PublishAsync(WorkerJoined message, CancellationToken ct) =>
        PublishAsync(Topology.WorkerEvents.Joined, JsonSerializer.SerializeToUtf8Bytes(message, WireJson.Default.WorkerJoined), ct);

    public Task PublishAsync(WorkerHeartbeat message, CancellationToken ct) =>
        PublishAsync(Topology.WorkerEvents.Heartbeat, JsonSerializer.SerializeToUtf8Bytes(message, WireJson.Default.WorkerHeartbeat), ct, persistent: false,
            expiration: _options.HeartbeatTtl);

    /// <summary>Sends a result, in one message with whatever else finished meanwhile (<see cref="ResultBatcher"/>).</summary>
    public Task PublishAsync(TaskFinished message, CancellationToken ct) => _results.SendAsync(message, ct);

    public Task PublishAsync(TaskPreempted message, CancellationToken ct) =>
        PublishAsync(Topology.WorkerEvents.Preempted, JsonSerializer.SerializeToUtf8Bytes(message, WireJson.Default.TaskPreempted), ct, mandatory: true);

    public Task PublishAsync(TaskCheckpointed message, CancellationToken ct) =>
        PublishAsync(Topology.WorkerEvents.Checkpoint, JsonSerializer.SerializeToUtf8Bytes(message, WireJson.Default.TaskCheckpointed), ct, mandatory: true);

    public Task PublishAsync(WorkerLeft message, CancellationToken ct) =>
        PublishAsync(Topology.WorkerEvents.Left, JsonSerializer.SerializeToUtf8Bytes(message, WireJson.Default.WorkerLeft), ct);

    /// <summary>
    /// The scheduler owns the topology; a worker only checks that the events exchange exists (a passive declare,
    /// which needs no configure permission, so a worker's account cannot delete it), waiting for a scheduler that
    /// has not yet started. Publishing to a missing exchange would close the channel.
    /// </summary>
    private async Task<IChannel> WaitForEventsExchangeAsync(CancellationToken ct)
    {
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        while (true)
        {
            var channel = await _connection!.CreateChannelAsync(options, ct);
            try
            {
                await channel.ExchangeDeclarePassiveAsync(Topology.EventsExchange, ct);
                return channel;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
            {
                _logger.LogWarning("Exchange {Exchange} does not exist yet; waiting for the scheduler to declare it", Topology.EventsExchange);
                await channel.DisposeAsync();
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Channels first, the connection last.
        foreach (var resource in new IAsyncDisposable?[] { _consumeChannel, _publishChannel, _connection }.OfType<IAsyncDisposable>())
        {
            await resource.DisposeAsync();
        }

        _reopening.Dispose();
    }

    /// <param name="mandatory">
    /// For a report the scheduler must get (a result, a pause, a checkpoint): a message the events exchange routes
    /// to no queue is returned and the publish fails (<see cref="PublishException"/>), so the caller sends it again,
    /// instead of being confirmed and dropped. That happens while the scheduler declares its topology again after an
    /// operator deleted the events exchange: the exchange exists before the scheduler's events queue is bound to it,
    /// and a result dropped then left an attempt that ran unheard, requeued by reconciliation and run a second time.
    /// </param>
    private async Task PublishAsync(string kind, byte[] body, CancellationToken ct, bool persistent = true, TimeSpan? expiration = null, bool mandatory = false)
    {
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            DeliveryMode = persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
            Type = kind,
            // Per message, not per queue: the scheduler's events queue also carries results, which must never expire,
            // and a queue-wide TTL could not be added to the queues existing deployments already have.
            Expiration = expiration is { } ttl ? ((long)ttl.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        };

        // A result goes out inside its task.execute span: whoever reads it can continue the task's trace.
        if (System.Diagnostics.Activity.Current is { } activity)
        {
            properties.Headers = new Dictionary<string, object?>();
            TraceHeaders.Inject(activity, properties.Headers);
        }

        var channel = await OpenPublishChannelAsync(ct);
        await channel.BasicPublishAsync(Topology.EventsExchange, Topology.WorkerEventKey(_options.Id, kind), mandatory, properties, body, ct);
    }

    /// <summary>
    /// The publishing channel, opened again when the broker closed it while the connection stayed up (a publish to
    /// an events exchange an operator deleted): the client recovers channels only with their connection. The new one
    /// waits for the scheduler to declare the exchange again.
    /// </summary>
    private async Task<IChannel> OpenPublishChannelAsync(CancellationToken ct)
    {
        var channel = _publishChannel!;
        if (channel.IsOpen || _connection is not { IsOpen: true })
        {
            return channel;
        }

        await _reopening.WaitAsync(ct);
        try
        {
            if (_publishChannel is { IsOpen: true } reopened)
            {
                return reopened;
            }

            _logger.LogWarning("The broker closed the publishing channel ({Reason}); opening another", _publishChannel?.CloseReason?.ReplyText);
            _publishChannel = await WaitForEventsExchangeAsync(ct);
            await channel.DisposeAsync();
            return _publishChannel;
        }
        finally
        {
            _reopening.Release();
        }
    }
}
