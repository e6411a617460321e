using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Broker;
using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// Declares the exchanges and queues the scheduler owns. Idempotent: run at every start and reconnect. The rejected
/// queue is declared apart, with its bounds (<see cref="BoundedQueue"/>): an older declaration of it must not stop the
/// scheduler.
/// </summary>
internal static class SchedulerTopology
{
    /// <param name="queueArguments">The queue type's arguments (<see cref="BrokerOptions.QueueArguments"/>).</param>
    public static async Task DeclareAsync(IChannel channel, Topology topology, IDictionary<string, object?>? queueArguments, CancellationToken ct)
    {
        await channel.ExchangeDeclareAsync(topology.SubmitExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.ExchangeDeclareAsync(topology.EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);

        // Bound right after the events exchange: declared again after an operator deleted it, the exchange routes
        // workers' messages nowhere until this binding exists (their reports are mandatory and come back; see
        // WorkerTransport), so that gap is kept as short as it can be.
        await DeclareQueueAsync(channel, topology.SchedulerEventsQueue, queueArguments, ct);
        await channel.QueueBindAsync(topology.SchedulerEventsQueue, topology.EventsExchange, routingKey: "worker.*.*", cancellationToken: ct);

        await DeclareQueueAsync(channel, topology.SubmitQueue, queueArguments, ct);
        await channel.QueueBindAsync(topology.SubmitQueue, topology.SubmitExchange, routingKey: "", cancellationToken: ct);


        await channel.ExchangeDeclareAsync(topology.CancelExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        await DeclareQueueAsync(channel, topology.CancelQueue, queueArguments, ct);
        await channel.QueueBindAsync(topology.CancelQueue, topology.CancelExchange, routingKey: "", cancellationToken: ct);
    }

    /// <summary>Declares the rejected-submissions queue with its length and age bounds, on a channel of its own.</summary>
    public static Task DeclareRejectedQueueAsync(
        IConnection connection, Topology topology, IDictionary<string, object?>? queueArguments, RejectedQueueOptions bounds, Action<string> warn, CancellationToken ct) =>
        BoundedQueue.DeclareAsync(connection, topology.RejectedQueue, queueArguments, bounds.QueueBounds(), warn, ct);

    private static async Task DeclareQueueAsync(IChannel channel, string queue, IDictionary<string, object?>? arguments, CancellationToken ct)
    {
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: ct);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
        {
            // The queue exists with other arguments: almost always another queue type than Broker:QueueType.
            throw new InvalidOperationException(
                $"Queue '{queue}' exists with other settings ({e.ShutdownReason.ReplyText}). Was Broker:QueueType changed? " +
                "A queue keeps its type: move its messages elsewhere and delete it, or keep the type it was declared with.", e);
        }
    }
}
