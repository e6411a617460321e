using System.Diagnostics;
using RabbitMQ.Client;

namespace TaskScheduler.Worker.Transport;

/// <summary>An assignment message still to be acknowledged, on the channel it arrived on.</summary>
public sealed record Delivery(IChannel Channel, ulong Tag)
{
    /// <summary>The scheduler's <c>task.assign</c> span, from the message's <c>traceparent</c>: the execution hangs under it.</summary>
    public ActivityContext? Parent { get; init; }

    /// <summary>Acknowledges, unless the channel is gone (then the broker already took the message back).</summary>
    public async Task AckAsync()
    {
        if (!Channel.IsOpen)
        {
            return;
        }

        try
        {
            await Channel.BasicAckAsync(Tag, multiple: false);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException)
        {
            // Closed between the check and the ack: same as above.
        }
    }
}
