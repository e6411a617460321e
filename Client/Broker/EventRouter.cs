using System.Collections.Concurrent;
using System.Threading.Channels;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Client.Events;

namespace TaskScheduler.Client.Broker;

/// <summary>
/// Follows individual tasks for every wait and watch of the client through one exclusive queue: the first follower
/// of a task binds <c>task.{id}.*</c>, the last one to leave unbinds it, and each event goes to that task's followers.
/// </summary>
internal sealed class EventRouter : IAsyncDisposable
{
    private readonly BrokerConnection _broker;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<Guid, ChannelWriter<TaskEvent>[]> _followers = new();
    private IChannel? _channel;
    private volatile string? _queue;
    private bool _watchingRenames;

    public EventRouter(BrokerConnection broker, ILogger logger)
    {
        _broker = broker;
        _logger = logger;
    }

    /// <summary>Starts following one task; its events arrive in the returned reader until the follow is disposed.</summary>
    public async Task<TaskFollow> FollowAsync(Guid taskId, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<TaskEvent>(new UnboundedChannelOptions { SingleReader = true });
        await _gate.WaitAsync(ct);
        try
        {
            var (channel, queue) = await OpenAsync(ct);
            var existing = _followers.GetValueOrDefault(taskId);
            if (existing is null)
            {
                try
                {
                    await channel.QueueBindAsync(queue, _broker.Topology.EventsExchange, TaskEventDecoder.Key(taskId, null), cancellationToken: ct);
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                    throw _broker.MissingExchange(_broker.Topology.EventsExchange, e);
                }
                catch (AlreadyClosedException e)
                {
                    throw BrokerConnection.Lost(e);
                }
            }

            _followers[taskId] = [.. existing ?? [], events.Writer];
        }
        finally
        {
            _gate.Release();
        }

        return new TaskFollow(events.Reader, () => LeaveAsync(taskId, events.Writer));
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            // Waits and watches still running end now rather than at their poll.
            foreach (var writer in _followers.Values.SelectMany(w => w))
            {
                writer.TryComplete(new ObjectDisposedException("TaskSchedulerClient"));
            }

            if (_channel is { } channel)
            {
                await channel.DisposeAsync();
                _channel = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask LeaveAsync(Guid taskId, ChannelWriter<TaskEvent> writer)
    {
        writer.TryComplete();
        await _gate.WaitAsync();
        try
        {
            var rest = (_followers.GetValueOrDefault(taskId) ?? []).Where(w => w != writer).ToArray();
            if (rest.Length > 0)
            {
                _followers[taskId] = rest;
                return;
            }

            _followers.TryRemove(taskId, out _);
            if (_channel is { IsOpen: true } channel)
            {
                await channel.QueueUnbindAsync(_queue!, _broker.Topology.EventsExchange, TaskEventDecoder.Key(taskId, null));
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException)
        {
            // The binding goes with the channel or the connection; nothing to undo.
            _logger.LogDebug(e, "Could not unbind the events of task {TaskId}", taskId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(IChannel Channel, string Queue)> OpenAsync(CancellationToken ct)
    {
        if (_channel is { IsOpen: true } open)
        {
            return (open, _queue!);
        }

        if (_channel is { } current)
        {
            // While the connection recovers, its channels come back by themselves with their queue and bindings;
            // a channel the broker closed on an error does not.
            if (!(await _broker.ConnectionAsync(ct)).IsOpen)
            {
                return (current, _queue!);
            }

            await current.DisposeAsync();
            _channel = null;
        }

        var channel = await _broker.OpenChannelAsync(ct);
        // Server-named (a producer's account may declare no other), so the connection's recovery renames it.
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct)).QueueName;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            Route(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer: consumer, cancellationToken: ct);
        // Bindings made on a channel that had to be replaced are gone with its queue: make them again.
        foreach (var taskId in _followers.Keys)
        {
            await channel.QueueBindAsync(queue, _broker.Topology.EventsExchange, TaskEventDecoder.Key(taskId, null), cancellationToken: ct);
        }

        (_channel, _queue) = (channel, queue);
        if (!_watchingRenames)
        {
            _watchingRenames = true;
            (await _broker.ConnectionAsync(ct)).QueueNameChangedAfterRecoveryAsync += (_, e) =>
            {
                if (e.NameBefore == _queue)
                {
                    _queue = e.NameAfter;
                }

                return Task.CompletedTask;
            };
        }

        return (channel, queue);
    }

    private void Route(BasicDeliverEventArgs delivery)
    {
        if (!TaskEventDecoder.TryReadKey(delivery.RoutingKey, out var taskId, out _)
            || !_followers.TryGetValue(taskId, out var followers)
            || !TaskEventDecoder.TryDecode(delivery.RoutingKey, delivery.Body.Span, out var taskEvent))
        {
            return;
        }

        foreach (var follower in followers)
        {
            follower.TryWrite(taskEvent!);
        }
    }
}
