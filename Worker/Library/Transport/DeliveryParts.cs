namespace TaskScheduler.Worker.Transport;

/// <summary>Counts down the orders of one message; thread-safe.</summary>
internal sealed class DeliveryParts(int count)
{
    private int _remaining = count;

    /// <summary>Marks one order done; true for the last one.</summary>
    public bool Done() => Interlocked.Decrement(ref _remaining) == 0;
}
