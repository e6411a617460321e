namespace TaskScheduler.Bench.Traffic;

/// <summary>
/// The broker's counters for one connection (octets) or one channel (messages), as the management API reports
/// them: totals since it opened. <see cref="Published"/> is what the client sent, <see cref="Delivered"/> what the
/// broker handed it (deliver_get), <see cref="Confirmed"/> the publisher confirms it received.
/// </summary>
public sealed record TrafficCounters(
    string Role, long Published = 0, long Delivered = 0, long Acked = 0, long Confirmed = 0, long BytesIn = 0, long BytesOut = 0)
{
    public TrafficCounters Minus(TrafficCounters? earlier) => earlier is null ? this : this with
    {
        Published = Published - earlier.Published,
        Delivered = Delivered - earlier.Delivered,
        Acked = Acked - earlier.Acked,
        Confirmed = Confirmed - earlier.Confirmed,
        BytesIn = BytesIn - earlier.BytesIn,
        BytesOut = BytesOut - earlier.BytesOut,
    };

    public TrafficCounters Plus(TrafficCounters other) => this with
    {
        Published = Published + other.Published,
        Delivered = Delivered + other.Delivered,
        Acked = Acked + other.Acked,
        Confirmed = Confirmed + other.Confirmed,
        BytesIn = BytesIn + other.BytesIn,
        BytesOut = BytesOut + other.BytesOut,
    };
}
