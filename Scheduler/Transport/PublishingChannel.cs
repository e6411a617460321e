using RabbitMQ.Client;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// The scheduler's confirming channel for everything it publishes, reopened when the broker closed it. The client's
/// automatic recovery restores channels after a lost connection, not a channel the broker closed on its own: a publish
/// to an exchange an operator deleted, a precondition failure. Left closed, every later publish would fail and
/// dispatch would stop for good; instead the topology is declared again (the missing exchange and its bindings with
/// it) and a new channel takes the old one's place, on which unconfirmed publishes are retried.
/// </summary>
internal sealed class PublishingChannel : IAsyncDisposable
{
    private static readonly CreateChannelOptions Confirming = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private readonly IConnection _connection;
    private readonly Func<CancellationToken, Task> _declareTopology;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reopening = new(1, 1);
    private IChannel _channel;

    private PublishingChannel(IConnection connection, IChannel channel, Func<CancellationToken, Task> declareTopology, ILogger logger)
    {
        _connection = connection;
        _channel = channel;
        _declareTopology = declareTopology;
        _logger = logger;
    }

    /// <summary>The channel now: open, or closed until <see cref="OpenAsync"/> replaces it.</summary>
    public IChannel Current => Volatile.Read(ref _channel);

    public static async Task<PublishingChannel> CreateAsync(
        IConnection connection, Func<CancellationToken, Task> declareTopology, ILogger logger, CancellationToken ct) =>
        new(connection, await connection.CreateChannelAsync(Confirming, ct), declareTopology, logger);

    /// <summary>
    /// The channel, reopened first when the broker closed it while the connection stayed up. While the connection is
    /// down it is returned as it is: the connection's recovery brings it back.
    /// </summary>
    public async ValueTask<IChannel> OpenAsync(CancellationToken ct)
    {
        var channel = Current;
        if (channel.IsOpen || !_connection.IsOpen)
        {
            return channel;
        }

        await _reopening.WaitAsync(ct);
        try
        {
            channel = Current;
            if (channel.IsOpen || !_connection.IsOpen)
            {
                return channel;
            }

            _logger.LogWarning(
                "The broker closed the publishing channel ({Reason}); declaring the topology again and publishing on a new channel",
                channel.CloseReason?.ReplyText);
            await _declareTopology(ct);
            var fresh = await _connection.CreateChannelAsync(Confirming, ct);
            Volatile.Write(ref _channel, fresh);
            await DisposeQuietlyAsync(channel);
            return fresh;
        }
        finally
        {
            _reopening.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeQuietlyAsync(Current);
        _reopening.Dispose();
    }

    private async Task DisposeQuietlyAsync(IChannel channel)
    {
        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogDebug("Closing the old publishing channel: {Error}", e.Message);
        }
    }
}
