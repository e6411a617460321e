using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// Queued and running tasks per tenant group and per pool, for the view the API, the dashboard, metrics and the
/// autoscaler read. One pass over the queue's lanes and the running tasks.
/// </summary>
public static class LoadBreakdown
{
    public static (IReadOnlyList<GroupLoad> Groups, IReadOnlyList<PoolLoad> Pools) Of(
        PendingQueue queue, IEnumerable<WorkerEntry> workers, Func<Guid, ScheduledTask> running, GroupShares shares)
    {
        var groups = new Dictionary<string, Tally>(StringComparer.Ordinal);
        var pools = new Dictionary<string, Tally>(StringComparer.Ordinal);
        Of(pools, TagNames.DefaultPool, []);
        foreach (var name in shares.Policies.Keys)
        {
            Of(groups, name, []);
        }

        foreach (var lane in queue.Lanes)
        {
            if (lane.Count > 0)
            {
                Of(groups, GroupShares.NameOf(lane.Group), []).Pending += lane.Count;
                Of(pools, lane.Pool, lane.Requires).Pending += lane.Count;
            }
        }

        foreach (var worker in workers)
        {
            var pool = Of(pools, TagNames.Pool(worker.Tags), worker.Tags);
            if (worker.Confirmed && !worker.Draining)
            {
                pool.Workers++;
                pool.Free += worker.FreeSlots;
            }

            foreach (var id in worker.InFlight)
            {
                var task = running(id);
                Of(groups, GroupShares.NameOf(task.Group), []).Running++;
                Of(pools, TagNames.Pool(task.Requires), task.Requires).Running++;
            }
        }

        var groupLoads = groups
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var policy = shares.PolicyOf(g.Key);
                return new GroupLoad(g.Key, g.Value.Pending, g.Value.Running, policy.Weight, policy.MaxRunning, policy.MaxStartsPerSecond);
            })
            .ToArray();
        var poolLoads = pools
            .OrderBy(p => p.Key == TagNames.DefaultPool ? 0 : 1).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PoolLoad(p.Key, p.Value.Tags, p.Value.Pending, p.Value.Running, p.Value.Workers, p.Value.Free))
            .ToArray();
        return (groupLoads, poolLoads);
    }

    private static Tally Of(Dictionary<string, Tally> tallies, string name, IReadOnlyList<string> tags)
    {
        if (!tallies.TryGetValue(name, out var tally))
        {
            tally = new Tally { Tags = tags };
            tallies.Add(name, tally);
        }

        return tally;
    }

    private sealed class Tally
    {
        public IReadOnlyList<string> Tags { get; init; } = [];

        public int Pending { get; set; }

        public int Running { get; set; }

        public int Workers { get; set; }

        public int Free { get; set; }
    }
}
