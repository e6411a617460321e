using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// One queue the scheduler consumes, kept consuming. The client's automatic recovery restores a lost connection with
/// its channels and consumers; it does nothing when the broker cancels a consumer (its queue was deleted) or closes
/// just its channel (a channel error). Then this says so, reports the queue down, declares the topology again and
/// consumes again, with backoff, on a new channel if the old one is closed.
/// Delivery tags handed out carry the channel's generation in their top bits: an acknowledgement goes only to the
/// channel that delivered the message (a closed channel's deliveries are redelivered by the broker anyway).
/// </summary>
internal sealed class QueueConsumer(
    IConnection connection,
    string queue,
    Func<IChannel, CancellationToken, Task> configure,
    Func<IChannel, CancellationToken, Task> declareTopology,
    Func<BasicDeliverEventArgs, ulong, Task> deliver,
    BrokerHealth health,
    ILogger logger,
    CancellationToken stopping) : IAsyncDisposable
{
    private const int GenerationShift = 48;
    private const ulong TagMask = (1UL << GenerationShift) - 1;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private int _recovering;
    private long _generation;
    private AsyncEventingBasicConsumer? _consumer;
    private string? _consumerTag;
    private volatile bool _paused;


    /// <summary>The channel consuming now; it changes when a closed one is replaced.</summary>
    public IChannel? Channel { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        await OpenChannelAsync(ct);
        await ConsumeAsync(ct);
    }

    /// <summary>Acknowledges every delivery up to <paramref name="tag"/> (as handed out), if its channel still consumes.</summary>
    public async Task AckAsync(ulong tag, CancellationToken ct)
    {
        var channel = Channel;
        if (tag == 0 || channel is null || tag >> GenerationShift != (ulong)Interlocked.Read(ref _generation) || !channel.IsOpen)
        {
            return;
        }

        await channel.BasicAckAsync(tag & TagMask, multiple: true, ct);
    }

    /// <summary>
    /// Stops taking deliveries, leaving what is left in the queue there; deliveries already taken stay unacknowledged
    /// until acknowledged as usual (or redelivered, should the channel close).
    /// </summary>
    public async Task PauseAsync(CancellationToken ct)
    {
        _paused = true;
        if (Channel is { IsOpen: true } channel && _consumerTag is { } tag)
        {
            await channel.BasicCancelAsync(tag, cancellationToken: ct);
        }
    }

    /// <summary>Takes deliveries again after <see cref="PauseAsync"/>.</summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        _paused = false;
        if (Channel is { IsOpen: true })
        {
            await ConsumeAsync(ct);
        }
        else
        {
            Recover("its channel closed while it was paused");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Channel is not null)
        {
            await Channel.DisposeAsync();
        }
    }

    private async Task OpenChannelAsync(CancellationToken ct)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        Interlocked.Increment(ref _generation);
        await configure(channel, ct);
        channel.ChannelShutdownAsync += (_, reason) =>
        {
            // A lost connection is the client's to recover; a channel closed on its own is ours.
            if (reason.Initiator != ShutdownInitiator.Application && connection.IsOpen && !stopping.IsCancellationRequested)
            {
                Recover($"the broker closed the channel ({reason.ReplyCode} {reason.ReplyText})");
            }

            return Task.CompletedTask;
        };
        Channel = channel;
    }

    private async Task ConsumeAsync(CancellationToken ct)
    {
        var channel = Channel!;
        var generation = (ulong)Interlocked.Read(ref _generation) << GenerationShift;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var received = System.Diagnostics.Stopwatch.GetTimestamp();
            await deliver(delivery, generation | delivery.DeliveryTag);
            Observability.SchedulerStages.Since(Observability.SchedulerStages.Consume, received);
        };
        consumer.UnregisteredAsync += (_, _) =>
        {
            // Our own cancels happen at shutdown and on a pause; any other is the broker's (the queue was deleted).
            if (channel.IsOpen && !stopping.IsCancellationRequested && !_paused)
            {
                Recover("the broker cancelled the consumer (was the queue deleted?)");
            }

            return Task.CompletedTask;
        };
        _consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer: consumer, cancellationToken: ct);
        _consumer = consumer;
        health.ConsumerUp(queue);
    }

    private void Recover(string why)
    {
        health.ConsumerDown(queue, why);
        if (Interlocked.Exchange(ref _recovering, 1) == 1)
        {
            return;
        }

        logger.LogError("Stopped consuming {Queue}: {Reason}; consuming again", queue, why);
        _ = Task.Run(RecoverAsync, CancellationToken.None);
    }

    private async Task RecoverAsync()
    {
        var delay = TimeSpan.FromMilliseconds(500);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(delay, stopping);
                try
                {
                    if (connection.IsOpen && Channel is { IsOpen: true } && _consumer is { IsRunning: true })
                    {
                        // The connection was lost after all, and the client's recovery has restored the consumer.
                        health.ConsumerUp(queue);
                        logger.LogInformation("Consuming {Queue} again", queue);
                        return;
                    }

                    if (connection.IsOpen)
                    {
                        if (Channel is not { IsOpen: true })
                        {
                            await OpenChannelAsync(stopping);
                        }

                        await using (var declare = await connection.CreateChannelAsync(cancellationToken: stopping))
                        {
                            await declareTopology(declare, stopping);
                        }

                        if (!_paused)
                        {
                            await ConsumeAsync(stopping);
                            logger.LogInformation("Consuming {Queue} again", queue);
                        }

                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Could not consume {Queue} again yet ({Error}); retrying in {Delay}", queue, e.Message, delay);
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            Volatile.Write(ref _recovering, 0);
        }
    }
}
