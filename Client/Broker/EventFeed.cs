using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Client.Events;

namespace TaskScheduler.Client.Broker;

/// <summary>
/// Every task's events of some kinds, on a queue and channel of their own, handed to a callback on the consumer's
/// thread in the order the scheduler published them: for services that follow all completions, and for benchmarks.
/// </summary>
internal sealed class EventFeed : IAsyncDisposable
{
    private readonly IChannel _channel;

    private EventFeed(IChannel channel) => _channel = channel;

    public static async Task<EventFeed> StartAsync(
        BrokerConnection broker, IReadOnlyCollection<TaskEventKind> kinds, Action<TaskEvent> onEvent, ILogger logger, CancellationToken ct)
    {
        var channel = await broker.OpenChannelAsync(ct);
        try
        {
            var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct)).QueueName;
            foreach (var kind in kinds.Distinct())
            {
                await channel.QueueBindAsync(queue, broker.Topology.EventsExchange, TaskEventDecoder.Key(null, kind), cancellationToken: ct);
            }

            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                if (TaskEventDecoder.TryDecode(delivery.RoutingKey, delivery.Body.Span, out var taskEvent))
                {
                    try
                    {
                        onEvent(taskEvent!);
                    }
#pragma warning disable CA1031 // A subscriber's bug must not stop the feed for the events after it.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        logger.LogError(e, "A task event handler failed on {RoutingKey}", delivery.RoutingKey);
                    }
                }

                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer: consumer, cancellationToken: ct);
            return new EventFeed(channel);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            await channel.DisposeAsync();
            throw broker.MissingExchange(broker.Topology.EventsExchange, e);
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await _channel.DisposeAsync();
}
