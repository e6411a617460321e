using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace TaskScheduler.Broker;

/// <summary>
/// Declares a durable queue with the arguments that bound it (<c>x-expires</c>, <c>x-max-length</c>,
/// <c>x-message-ttl</c>...). A queue declared before those bounds existed cannot take them: RabbitMQ refuses a
/// redeclaration with other arguments (PRECONDITION_FAILED) and closes the channel. So the declaration runs on a
/// channel of its own, and a queue that exists with other arguments is used as it is, with a warning: the queue
/// works, unbounded, until an operator deletes it (docs/deployment.md, "Upgrading").
/// </summary>
public static class BoundedQueue
{
    /// <returns>True when the queue carries the bounds; false when an older declaration kept them off.</returns>
    public static async Task<bool> DeclareAsync(
        IConnection connection,
        string queue,
        IDictionary<string, object?>? queueTypeArguments,
        IReadOnlyDictionary<string, object?> bounds,
        Action<string> warn,
        CancellationToken ct)
    {
        var arguments = new Dictionary<string, object?>(queueTypeArguments ?? new Dictionary<string, object?>());
        foreach (var (key, value) in bounds)
        {
            arguments[key] = value;
        }

        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: ct);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.PreconditionFailed)
        {
            // It exists (a missing queue is simply created): use it as it is.
            warn($"Queue '{queue}' exists without the bounds {string.Join(", ", bounds.Keys)} ({e.ShutdownReason.ReplyText}); " +
                 "it works but stays unbounded until it is deleted and declared again (docs/deployment.md, \"Upgrading\")");
            return false;
        }
        finally
        {
            await channel.DisposeAsync();
        }
    }
}
