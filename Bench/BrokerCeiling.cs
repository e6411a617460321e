using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TaskScheduler.Broker;
using TaskScheduler.Contracts;

namespace TaskScheduler.Bench;

/// <summary>
/// Measures <see cref="CeilingReport"/>: publishes for a while as fast as a window of unconfirmed messages allows,
/// consumes on a second channel acknowledging each message, and divides what arrived by the time it took. The
/// queue is the bench's own, removed afterwards (and set to expire should the bench be killed).
/// </summary>
public static class BrokerCeiling
{
    public static async Task<CeilingReport> MeasureAsync(string brokerUrl, Topology topology, int messageBytes, TimeSpan duration, int window, CancellationToken ct)
    {
        var queue = $"{topology.Prefix}.bench.ceiling.{Guid.NewGuid():N}";
        // The broker on its own, beside the system: a connection of its own, gone when the measure is done.
        var address = BrokerAddress.Parse(brokerUrl, hosts: null);
        await using var connection = await new ConnectionFactory { Uri = address.Uri, ClientProvidedName = "tasks bench ceiling" }
            .CreateConnectionAsync(BrokerConnector.Endpoints(address), ct);
        await using var publish = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct);
        await using var consume = await connection.CreateChannelAsync(cancellationToken: ct);
        var arguments = new Dictionary<string, object?> { ["x-expires"] = (int)TimeSpan.FromMinutes(2).TotalMilliseconds };
        await publish.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: ct);
        try
        {
            return await RunAsync(publish, consume, queue, messageBytes, duration, window, ct);
        }
        finally
        {
            await publish.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: CancellationToken.None);
        }
    }

    private static async Task<CeilingReport> RunAsync(
        IChannel publish, IChannel consume, string queue, int messageBytes, TimeSpan duration, int window, CancellationToken ct)
    {
        long consumed = 0;
        long published = 0;
        long lastArrival = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Stopwatch.GetTimestamp();

        await consume.BasicQosAsync(0, (ushort)Math.Min(window, ushort.MaxValue), false, ct);
        var consumer = new AsyncEventingBasicConsumer(consume);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consume.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            Interlocked.Exchange(ref lastArrival, Stopwatch.GetTimestamp());
            if (Interlocked.Increment(ref consumed) == Volatile.Read(ref published) && published > 0)
            {
                allArrived.TrySetResult();
            }
        };
        await consume.BasicConsumeAsync(queue, autoAck: false, consumer: consumer, cancellationToken: ct);

        var body = new byte[messageBytes];
        Array.Fill(body, (byte)'x');
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" };
        using var slots = new PublishWindow(window);
        long sent = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            await slots.SendAsync(() => publish.BasicPublishAsync("", queue, false, properties, body, ct).AsTask(), _ => { }, ct);
            sent++;
        }

        await slots.DrainAsync(ct);
        Volatile.Write(ref published, sent);
        if (Interlocked.Read(ref consumed) < sent)
        {
            await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        }

        var seconds = Stopwatch.GetElapsedTime(started, Interlocked.Read(ref lastArrival)).TotalSeconds;
        return new CeilingReport(Math.Round(sent / seconds), messageBytes, sent, Math.Round(seconds, 3));
    }
}
