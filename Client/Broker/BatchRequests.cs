using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Client.Broker;

/// <summary>
/// Batch submissions that wait for the scheduler's answer: each is published with RabbitMQ's direct reply-to
/// (<c>amq.rabbitmq.reply-to</c>) and a correlation id, on a channel of its own that consumes the replies, and returns
/// every task's outcome once the scheduler has journaled the batch. A reply lost with a connection is not sent again:
/// the caller's token ends the wait, and the tasks' states say what became of them. Batches are published in the order
/// <see cref="SubmitAsync"/> was called, even while earlier ones still await their answers, so the scheduler judges a
/// producer's batches in its order: of two equal tasks, the later one is the duplicate.
/// </summary>
internal sealed class BatchRequests(BrokerConnection broker, ILogger logger) : IAsyncDisposable
{
    private const string DirectReplyTo = "amq.rabbitmq.reply-to";

    private readonly ConcurrentDictionary<string, TaskCompletionSource<SubmitTasksReply>> _waiting = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    /// <summary>Completes when the last batch submitted so far has been published (or given up): the next one's turn.</summary>
    private Task _lastPublished = Task.CompletedTask;

    public async Task<SubmitTasksReply> SubmitAsync(ReadOnlyMemory<byte> batch, CancellationToken ct)
    {
        // Taken before the first await, so turns follow the order of the calls.
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = Interlocked.Exchange(ref _lastPublished, turn.Task);
        var correlation = Guid.NewGuid().ToString("N");
        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[correlation] = reply;
        try
        {
            try
            {
                var channel = await ChannelAsync(ct);
                var properties = new BasicProperties { Type = Topology.SubmitTypes.Batch, ReplyTo = DirectReplyTo, CorrelationId = correlation };
                await previous.WaitAsync(ct);
                await broker.PublishOnAsync(channel, broker.Topology.SubmitExchange, batch, properties, ct);
            }
            finally
            {
                turn.SetResult();
            }

            return await reply.Task.WaitAsync(ct);
        }
        finally
        {
            _waiting.TryRemove(correlation, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel)
        {
            await channel.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task<IChannel> ChannelAsync(CancellationToken ct)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        var connection = await broker.ConnectionAsync(ct);
        await _gate.WaitAsync(ct);
        try
        {
            if (_channel is { IsOpen: true } opened)
            {
                return opened;
            }

            // Direct reply-to: the consumer must be on the channel that publishes, and be there first.
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                Answer(delivery.BasicProperties.CorrelationId, delivery.Body);
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(DirectReplyTo, autoAck: true, consumer, ct);
            _channel = channel;
            return channel;
        }
        catch (AlreadyClosedException e)
        {
            throw BrokerConnection.Lost(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Answer(string? correlation, ReadOnlyMemory<byte> body)
    {
        if (correlation is null || !_waiting.TryGetValue(correlation, out var reply))
        {
            return;
        }

        try
        {
            reply.TrySetResult(JsonSerializer.Deserialize(body.Span, WireJson.Default.SubmitTasksReply)!);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Unreadable reply to a batch submission: {Error}", e.Message);
            reply.TrySetException(new TaskSchedulerClientException($"the scheduler's reply to a batch could not be read: {e.Message}", e));
        }
    }
}
