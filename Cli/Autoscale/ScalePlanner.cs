using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Autoscale;

/// <summary>
/// Decides how the local pool follows the scheduler's desired-worker figure. Workers the pool did not start (run by
/// hand, on other machines) count towards the figure. To shrink, it picks the workers whose leaving costs least:
/// first those not yet registered with the scheduler (they hold nothing), then those running the fewest tasks, the
/// newest first. A chosen worker is not killed: it is asked to drain, and it leaves once its tasks are done.
/// </summary>
public static class ScalePlanner
{
    public static ScalePlan Plan(int desired, IReadOnlyCollection<PoolMember> pool, IReadOnlyCollection<WorkerView> scheduled)
    {
        var seen = scheduled.ToDictionary(w => w.Id, StringComparer.Ordinal);
        var ours = pool.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var others = scheduled.Count(w => w.Confirmed && !w.Draining && !ours.Contains(w.Id));
        var target = Math.Max(0, desired - others);

        // A worker draining on its own account (someone else stopped it) is leaving: it does not count.
        var active = pool.Where(m => !m.Stopping && !(seen.TryGetValue(m.Id, out var w) && w.Draining)).ToList();
        if (active.Count < target)
        {
            return new ScalePlan(target - active.Count, [], target);
        }

        var stop = active
            .OrderBy(m => seen.ContainsKey(m.Id) ? 1 : 0)
            .ThenBy(m => seen.TryGetValue(m.Id, out var w) ? w.InFlight : 0)
            .ThenByDescending(m => m.StartedAt)
            .Take(active.Count - target)
            .Select(m => m.Id)
            .ToList();
        return new ScalePlan(0, stop, target);
    }
}
