using RabbitMQ.Client;
using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>Declares the exchanges and queues the scheduler owns. Idempotent: run at every start and reconnect.</summary>
internal static class SchedulerTopology
{
    public static async Task DeclareAsync(IChannel channel, Topology topology, CancellationToken ct)
    {
        await channel.ExchangeDeclareAsync(topology.SubmitExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.ExchangeDeclareAsync(topology.EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);

        await channel.QueueDeclareAsync(topology.SubmitQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(topology.SubmitQueue, topology.SubmitExchange, routingKey: "", cancellationToken: ct);

        await channel.QueueDeclareAsync(topology.RejectedQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);

        await channel.ExchangeDeclareAsync(topology.CancelExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.QueueDeclareAsync(topology.CancelQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(topology.CancelQueue, topology.CancelExchange, routingKey: "", cancellationToken: ct);

        await channel.QueueDeclareAsync(topology.SchedulerEventsQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(topology.SchedulerEventsQueue, topology.EventsExchange, routingKey: "worker.*.*", cancellationToken: ct);
    }
}
