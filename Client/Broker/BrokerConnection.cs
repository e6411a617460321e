using RabbitMQ.Client.Exceptions;
using TaskScheduler.Broker;
using TaskScheduler.Contracts;

namespace TaskScheduler.Client.Broker;

/// <summary>
/// The client's one connection to RabbitMQ, opened on first use and recovered by the RabbitMQ client after a loss,
/// with one channel for confirmed publishes that any number of callers share.
/// </summary>
internal sealed class BrokerConnection : IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private volatile IChannel? _publish;
    private bool _disposed;

    public BrokerConnection(BrokerOptions options, string name, ILogger logger)
    {
        _options = options;
        _name = name;
        _logger = logger;
        Topology = options.Topology;
    }

    public Topology Topology { get; }

    public async Task<IConnection> ConnectionAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _connection) is { } open)
        {
            return open;
        }

        await _gate.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection ??= await ConnectAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A channel of its own, for a subscriber.</summary>
    public async Task<IChannel> OpenChannelAsync(CancellationToken ct)
    {
        var connection = await ConnectionAsync(ct);
        try
        {
            return await connection.CreateChannelAsync(cancellationToken: ct);
        }
        catch (AlreadyClosedException e)
        {
            throw Lost(e);
        }
    }

    /// <summary>
    /// Publishes persistently and <c>mandatory</c>, and returns once the broker has confirmed that the message is
    /// stored in a queue; a message no queue takes means the system's scheduler never started.
    /// </summary>
    public async Task PublishAsync(string exchange, ReadOnlyMemory<byte> body, string type, CancellationToken ct)
    {
        var channel = _publish ?? await PublishChannelAsync(ct);
        await PublishOnAsync(channel, exchange, body, new BasicProperties { Type = type }, ct);
        // The broker closes a channel on a channel-level error (a missing exchange): open a new one next time.
        if (!channel.IsOpen && Volatile.Read(ref _connection) is { IsOpen: true })
        {
            Interlocked.CompareExchange(ref _publish, null, channel);
        }
    }

    /// <summary>
    /// Publishes on <paramref name="channel"/> (one with confirms) as <see cref="PublishAsync"/> does, with
    /// <paramref name="properties"/> made persistent JSON, turning the broker's refusals into what they mean here.
    /// </summary>
    public async Task PublishOnAsync(IChannel channel, string exchange, ReadOnlyMemory<byte> body, BasicProperties properties, CancellationToken ct)
    {
        properties.ContentType = "application/json";
        properties.DeliveryMode = DeliveryModes.Persistent;
        try
        {
            await channel.BasicPublishAsync(exchange, "", mandatory: true, properties, body, ct);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            throw new TaskSchedulerUnavailableException(
                UnavailablePart.Scheduler,
                $"no queue is bound to '{exchange}': the scheduler for prefix '{Topology.Prefix}' has never started",
                e);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            throw MissingExchange(exchange, e);
        }
        catch (AlreadyClosedException e)
        {
            throw Lost(e);
        }
    }

    public TaskSchedulerUnavailableException MissingExchange(string exchange, Exception inner) => new(
        UnavailablePart.Scheduler,
        $"exchange '{exchange}' does not exist: the scheduler for prefix '{Topology.Prefix}' has never started",
        inner);

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (_publish is { } publish)
            {
                await publish.DisposeAsync();
            }

            if (_connection is { } connection)
            {
                await connection.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IChannel> PublishChannelAsync(CancellationToken ct)
    {
        var connection = await ConnectionAsync(ct);
        await _gate.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_publish is { IsOpen: true } open)
            {
                return open;
            }

            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            _publish = channel;
            return channel;
        }
        catch (AlreadyClosedException e)
        {
            throw Lost(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        var address = _options.Address;
        var factory = new ConnectionFactory
        {
            Uri = address.Uri,
            ClientProvidedName = _name,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            // A long-lived client outlives broker restarts: the RabbitMQ client reconnects and declares its exclusive
            // queues and bindings again. Events published meanwhile are lost; waits ask the scheduler to make up.
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
        };
        try
        {
            var connection = await factory.CreateConnectionAsync(BrokerConnector.Endpoints(address), ct);
            _logger.LogDebug("Connected to the broker at {Broker}", address.Describe());
            return connection;
        }
        catch (BrokerUnreachableException e)
        {
            throw new TaskSchedulerUnavailableException(
                UnavailablePart.Broker,
                $"cannot reach the broker at {address.Describe()}: {e.InnerException?.Message ?? e.Message}",
                e);
        }
    }

    public static TaskSchedulerUnavailableException Lost(AlreadyClosedException e) =>
        new(UnavailablePart.Broker, $"lost the broker connection: {e.ShutdownReason?.ReplyText ?? e.Message}", e);
}
