namespace TaskScheduler.Bench.Traffic;

/// <summary>
/// The broker messages and bytes one run cost, from the management API's counters read before and after it:
/// <see cref="Total"/> over the system's connections (scheduler, workers and the bench as producer), and by role.
/// Per task means per task submitted (and confirmed) in the run. Null figures and a <see cref="Note"/> when the
/// management API could not be read.
/// </summary>
public sealed record BrokerTraffic(long Tasks, TrafficFigures? Total, IReadOnlyDictionary<string, TrafficFigures> ByRole, int LostCounters, string? Note)
{
    public static BrokerTraffic Unmeasured(string note) => new(0, null, new Dictionary<string, TrafficFigures>(), 0, note);

    public static BrokerTraffic Between(TrafficSnapshot before, TrafficSnapshot after, long tasks)
    {
        var (byRole, lost) = after.Since(before);
        var total = byRole.Values.Aggregate(new TrafficCounters("all"), (sum, c) => sum.Plus(c));
        var note = lost == 0 ? null : $"{lost} connections or channels closed during the run; their counts are missing";
        return new BrokerTraffic(tasks, TrafficFigures.Of(total, tasks), byRole.ToDictionary(r => r.Key, r => TrafficFigures.Of(r.Value, tasks)), lost, note);
    }
}

/// <summary>Totals of one role (or all) over the run, and the same per task.</summary>
public sealed record TrafficFigures(
    long Published, long Delivered, long Acked, long Confirmed, long BytesIn, long BytesOut,
    double PublishedPerTask, double DeliveredPerTask, double BytesInPerTask, double BytesOutPerTask)
{
    public static TrafficFigures Of(TrafficCounters c, long tasks) => new(
        c.Published, c.Delivered, c.Acked, c.Confirmed, c.BytesIn, c.BytesOut,
        PerTask(c.Published, tasks), PerTask(c.Delivered, tasks), PerTask(c.BytesIn, tasks), PerTask(c.BytesOut, tasks));

    private static double PerTask(long count, long tasks) => tasks <= 0 ? 0 : Math.Round((double)count / tasks, 3);
}
