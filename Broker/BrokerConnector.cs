using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace TaskScheduler.Broker;

/// <summary>How every program reaches the broker: each node of the address, TLS when the URI says amqps.</summary>
public static class BrokerConnector
{
    /// <summary>
    /// Every node of the cluster, tried in random order (which spreads programs over the nodes), now and whenever
    /// the client recovers a lost connection.
    /// </summary>
    public static List<AmqpTcpEndpoint> Endpoints(BrokerAddress address) =>
        [.. address.Endpoints.Select(e => new AmqpTcpEndpoint(e.Host, e.Port, new SslOption(e.Host, enabled: address.UsesTls)))];

    /// <summary>
    /// The first connection of a long-running program, retried with backoff: a program started before its broker
    /// (or during a broker restart) waits for it instead of failing. Later losses are the client's automatic
    /// recovery's business. <paramref name="onRetry"/> hears each failure and the wait before the next try.
    /// </summary>
    public static async Task<IConnection> ConnectWithRetryAsync(
        this ConnectionFactory factory, BrokerAddress address, Action<Exception, TimeSpan> onRetry, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                return await factory.CreateConnectionAsync(Endpoints(address), ct);
            }
            catch (BrokerUnreachableException e)
            {
                onRetry(e.InnerException ?? e, delay);
            }

            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}
