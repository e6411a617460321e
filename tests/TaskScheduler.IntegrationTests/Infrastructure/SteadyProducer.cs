using System.Text.Json;
using RabbitMQ.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A producer that keeps submitting at a steady pace through whatever happens to the broker, as a well-behaved
/// client does: a submission counts as accepted once the broker confirms it, and an unconfirmed one is published
/// again, with the same id, until it is.
/// </summary>
public sealed class SteadyProducer : IAsyncDisposable
{
    private readonly List<SubmitTask> _accepted = [];
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly Topology _topology;

    private SteadyProducer(IConnection connection, IChannel channel, Topology topology)
    {
        _connection = connection;
        _channel = channel;
        _topology = topology;
    }

    public int Retries { get; private set; }

    public static async Task<SteadyProducer> StartAsync(TestSystem system)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(system.BrokerUrl),
            AutomaticRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
            ClientProvidedName = $"test {system.Prefix} producer",
        };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        return new SteadyProducer(connection, channel, system.Topology);
    }

    public IReadOnlyList<SubmitTask> Accepted()
    {
        lock (_accepted)
        {
            return [.. _accepted];
        }
    }

    /// <summary>Submits one task every <paramref name="pace"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan pace, Func<int, SubmitTask> next, CancellationToken ct)
    {
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var task = next(i);
            var body = JsonSerializer.SerializeToUtf8Bytes(task, WireJson.Default.SubmitTask);
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" };
                    await _channel.BasicPublishAsync(_topology.SubmitExchange, "", true, properties, body, CancellationToken.None);
                    lock (_accepted)
                    {
                        _accepted.Add(task);
                    }

                    break;
                }
                catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException
                                              or RabbitMQ.Client.Exceptions.OperationInterruptedException
                                              or RabbitMQ.Client.Exceptions.PublishException
                                              or IOException)
                {
                    Retries++;
                    await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
                }
            }

            try
            {
                await Task.Delay(pace, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
