using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Subscribes to every task event of one system (<c>task.#</c>), as another service would, and lets a test
/// await a condition over what has arrived so far.
/// </summary>
public sealed class EventRecorder : IAsyncDisposable
{
    private readonly List<TaskEvent> _events = [];
    private readonly IChannel _channel;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EventRecorder(IChannel channel) => _channel = channel;

    /// <summary>
    /// Starts recording. With a <paramref name="durableQueue"/> name the recording survives a broker restart (a
    /// durable queue, acknowledged after recording); without, it is an exclusive queue that dies with the connection.
    /// </summary>
    public static async Task<EventRecorder> StartAsync(IConnection connection, Topology topology, string? durableQueue = null)
    {
        var channel = await connection.CreateChannelAsync();
        var recorder = new EventRecorder(channel);
        var durable = durableQueue is not null;
        var queue = (await channel.QueueDeclareAsync(durableQueue ?? "", durable, exclusive: !durable, autoDelete: !durable)).QueueName;
        await channel.ExchangeDeclareAsync(topology.EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false);
        await channel.QueueBindAsync(queue, topology.EventsExchange, "task.#");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            recorder.Add(Read(delivery));
            if (durable)
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            }
        };
        await channel.BasicConsumeAsync(queue, autoAck: !durable, consumer: consumer);
        return recorder;
    }

    public IReadOnlyList<TaskEvent> Snapshot()
    {
        lock (_events)
        {
            return [.. _events];
        }
    }

    /// <summary>The last final event of each task seen so far.</summary>
    public Dictionary<Guid, TaskEvent> Finals() =>
        Snapshot().Where(e => e.IsFinal).GroupBy(e => e.TaskId).ToDictionary(g => g.Key, g => g.Last());

    public async Task WaitUntilAsync(Func<IReadOnlyList<TaskEvent>, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_events)
            {
                if (condition(_events))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out after {timeout} waiting for {what}; {Snapshot().Count} events seen.");
            }
        }
    }

    public Task WaitForFinalAsync(IReadOnlyCollection<Guid> ids, TimeSpan timeout) =>
        WaitUntilAsync(
            events => ids.All(new HashSet<Guid>(events.Where(e => e.IsFinal).Select(e => e.TaskId)).Contains),
            timeout,
            $"{ids.Count} tasks to reach a final state");

    public async ValueTask DisposeAsync() => await _channel.DisposeAsync();

    private void Add(TaskEvent? e)
    {
        if (e is null)
        {
            return;
        }

        TaskCompletionSource changed;
        lock (_events)
        {
            _events.Add(e);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Through the client's decoder, the one every part of the product reads task events with.</summary>
    private static TaskEvent? Read(BasicDeliverEventArgs delivery) =>
        TaskEventDecoder.TryDecode(delivery.RoutingKey, delivery.Body.Span, out var taskEvent) ? taskEvent : null;
}
