using System.Text.Json;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Broker;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Broker;

/// <summary>The CLI's connection to RabbitMQ: publishes submissions and follows task events.</summary>
public sealed class BrokerClient : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _publish;
    private IChannel? _watch;

    private BrokerClient(IConnection connection, IChannel publish, Topology topology)
    {
        _connection = connection;
        _publish = publish;
        Topology = topology;
    }

    public Topology Topology { get; }

    public static async Task<BrokerClient> ConnectAsync(string url, string prefix, CancellationToken ct)
    {
        // One URI, or a cluster's nodes as several URIs separated by commas: the first node that answers is used.
        if (!BrokerAddress.TryParse(url, hosts: null, out var address, out _))
        {
            throw new CliException(ExitCodes.Usage, $"--broker must be an amqp:// URI, or several separated by commas, not '{url}'");
        }

        var factory = new ConnectionFactory
        {
            Uri = address!.Uri,
            ClientProvidedName = "tasks cli",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        };
        try
        {
            var connection = await factory.CreateConnectionAsync(BrokerConnector.Endpoints(address), ct);
            var publish = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            return new BrokerClient(connection, publish, new Topology(prefix));
        }
        catch (BrokerUnreachableException e)
        {
            throw new CliException(
                ExitCodes.BrokerUnreachable,
                $"cannot reach the broker at {address.Describe()}: {e.InnerException?.Message ?? e.Message}. Is RabbitMQ running? (deploy/start.sh starts one)");
        }
    }

    /// <summary>
    /// Starts following task events before anything is submitted, so no event can be missed. With ids, only those
    /// tasks; without, the final events of every task.
    /// </summary>
    public async Task<ChannelReader<TaskEvent>> WatchAsync(Guid? taskId, CancellationToken ct)
    {
        _watch = await _connection.CreateChannelAsync(cancellationToken: ct);
        var queue = (await _watch.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct)).QueueName;
        var keys = taskId is { } id
            ? [$"task.{id:D}.*"]
            : new[] { "completed", "failed", "cancelled", Topology.RejectedKind }.Select(k => $"task.*.{k}").ToArray();
        foreach (var key in keys)
        {
            await BindAsync(_watch, queue, key, ct);
        }

        var events = Channel.CreateUnbounded<TaskEvent>();
        var consumer = new AsyncEventingBasicConsumer(_watch);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (Read(delivery) is { } e)
            {
                events.Writer.TryWrite(e);
            }

            return Task.CompletedTask;
        };
        await _watch.BasicConsumeAsync(queue, autoAck: true, consumer: consumer, cancellationToken: ct);
        return events.Reader;
    }

    /// <summary>A further channel on this connection, for tools that need their own (the bench's listeners).</summary>
    public async Task<IChannel> OpenChannelAsync(bool confirms, CancellationToken ct) =>
        await _connection.CreateChannelAsync(new CreateChannelOptions(confirms, confirms), ct);

    /// <summary>Binds <paramref name="queue"/> to the events exchange, explaining a missing exchange.</summary>
    public Task BindEventsAsync(IChannel channel, string queue, string key, CancellationToken ct) => BindAsync(channel, queue, key, ct);

    /// <summary>Publishes one submission and waits for the broker to confirm it is stored in the scheduler's queue.</summary>
    public async Task SubmitAsync(SubmitTask task, CancellationToken ct) =>
        await SubmitAsync(JsonSerializer.SerializeToUtf8Bytes(task, WireJson.Default.SubmitTask), ct);

    public async Task SubmitAsync(ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, Type = "submit-task" };
        try
        {
            await _publish.BasicPublishAsync(Topology.SubmitExchange, "", true, properties, body, ct);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            throw new CliException(
                ExitCodes.SchedulerUnreachable,
                $"no queue is bound to '{Topology.SubmitExchange}': the scheduler for prefix '{Topology.Prefix}' has never started");
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            throw new CliException(
                ExitCodes.SchedulerUnreachable,
                $"exchange '{Topology.SubmitExchange}' does not exist: the scheduler for prefix '{Topology.Prefix}' has never started");
        }
        catch (AlreadyClosedException e)
        {
            throw new CliException(ExitCodes.BrokerUnreachable, $"lost the broker connection: {e.ShutdownReason?.ReplyText ?? e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_watch is not null)
        {
            await _watch.DisposeAsync();
        }

        await _publish.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task BindAsync(IChannel channel, string queue, string key, CancellationToken ct)
    {
        try
        {
            await channel.QueueBindAsync(queue, Topology.EventsExchange, key, cancellationToken: ct);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            throw new CliException(
                ExitCodes.SchedulerUnreachable,
                $"exchange '{Topology.EventsExchange}' does not exist: the scheduler for prefix '{Topology.Prefix}' has never started");
        }
    }

    private static TaskEvent? Read(BasicDeliverEventArgs delivery)
    {
        var parts = delivery.RoutingKey.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            if (parts[2] == Topology.RejectedKind)
            {
                var r = JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.TaskRejected);
                return r is null ? null : new TaskEvent(r.TaskId, parts[2], null, null, 0, r.Reason, r.At);
            }

            var c = JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.TaskStateChanged);
            return c is null ? null : new TaskEvent(c.TaskId, parts[2], c.State, c.WorkerId, c.Attempt, c.Error, c.At);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
