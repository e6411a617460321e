using System.Diagnostics;
using RabbitMQ.Client;

namespace TaskScheduler.Worker.Transport;

/// <summary>
/// One order still to be acknowledged, on the channel its message arrived on. Orders that came in one message
/// share <see cref="Parts"/>: the message is acknowledged when the last of them is done with.
/// </summary>
internal sealed record Delivery(IChannel Channel, ulong Tag)
{
    /// <summary>The scheduler's <c>task.assign</c> span: the execution hangs under it.</summary>
    public ActivityContext? Parent { get; init; }

    /// <summary>When the message arrived (a Stopwatch timestamp): the attempt's start delay is measured from here.</summary>
    public long ReceivedAt { get; init; } = Stopwatch.GetTimestamp();

    /// <summary>The orders of the same message not yet done with; null for a message with one order.</summary>
    public DeliveryParts? Parts { get; init; }

    /// <summary>
    /// Acknowledges, once per order, the message when its last order is done; nothing if the channel is gone (the
    /// broker then took the message back).
    /// </summary>
    public async Task AckAsync()
    {
        if (Parts is not null && !Parts.Done())
        {
            return;
        }

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
