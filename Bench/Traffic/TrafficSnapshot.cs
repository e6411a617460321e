namespace TaskScheduler.Bench.Traffic;

/// <summary>One reading of a system's broker counters: octets by connection, messages by channel.</summary>
public sealed record TrafficSnapshot(IReadOnlyDictionary<string, TrafficCounters> Connections, IReadOnlyDictionary<string, TrafficCounters> Channels)
{
    /// <summary>
    /// What happened between <paramref name="before"/> and this reading, by role. A connection or channel opened
    /// in between counts from zero; one closed in between took its counts with it, and is reported as lost.
    /// </summary>
    public (IReadOnlyDictionary<string, TrafficCounters> ByRole, int Lost) Since(TrafficSnapshot before)
    {
        var byRole = new SortedDictionary<string, TrafficCounters>(StringComparer.Ordinal);
        foreach (var (name, now) in Connections.Concat(Channels))
        {
            var delta = now.Minus(before.Connections.GetValueOrDefault(name) ?? before.Channels.GetValueOrDefault(name));
            byRole[now.Role] = byRole.TryGetValue(now.Role, out var sum) ? sum.Plus(delta) : delta;
        }

        var lost = before.Connections.Keys.Count(k => !Connections.ContainsKey(k)) + before.Channels.Keys.Count(k => !Channels.ContainsKey(k));
        return (byRole, lost);
    }
}
