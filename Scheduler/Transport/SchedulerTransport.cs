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
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// The scheduler's side of RabbitMQ, on the raw client because it is the hot path: three consumers (submissions,
/// worker events, cancel requests; <see cref="QueueConsumer"/>) that feed the loop and are acknowledged once a turn
/// is durable, and one publishing channel with publisher confirms, on which <see cref="TurnPublisher"/> sends what a
/// turn decided. The connection, its events and its recovery live here, once, for both.
/// </summary>
public sealed class SchedulerTransport : IInputSource, IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly TransportSettings _settings;
    private readonly BrokerHealth _health;
    private readonly ILogger<SchedulerTransport> _logger;
    private IConnection? _connection;
    private QueueConsumer? _submit;
    private SubmitWindow? _submitWindow;
    private QueueConsumer? _events;
    private QueueConsumer? _cancels;
    private PublishingChannel? _publishing;
    private IChannel? _adminChannel;
    private readonly SubmitReplies _replies;

    public SchedulerTransport(
        IOptions<BrokerOptions> options,
        TransportSettings settings,
        BrokerHealth health,
        ILogger<SchedulerTransport> logger)
    {
        _health = health;
        _options = options.Value;
        _settings = settings;
        _logger = logger;
        _replies = new SubmitReplies(() => PublishChannel, logger);
    }

    public Topology Topology => _options.Topology;

    public string Prefix => _options.Prefix;

    /// <summary>The publishing channel with publisher confirms, for <see cref="TurnPublisher"/>; null until started.</summary>
    internal PublishingChannel? Publishing => _publishing;

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
        // Consumers first, the connection last: each closes what it opened on the connection.
        foreach (var resource in new IAsyncDisposable?[] { _submit, _events, _cancels, _publishing, _adminChannel, _connection }.OfType<IAsyncDisposable>())
        {
            await resource.DisposeAsync();
        }
    }

    private Task DeclareRejectedQueueAsync(CancellationToken ct) => SchedulerTopology.DeclareRejectedQueueAsync(
        _connection!, Topology, _options.QueueArguments(), _settings.RejectedQueue, warning => _logger.LogWarning("{Warning}", warning), ct);

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
