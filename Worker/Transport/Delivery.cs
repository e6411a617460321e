using RabbitMQ.Client;

namespace TaskScheduler.Worker.Transport;

/// <summary>An assignment message still to be acknowledged, on the channel it arrived on.</summary>
public sealed record Delivery(IChannel Channel, ulong Tag)
{
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
