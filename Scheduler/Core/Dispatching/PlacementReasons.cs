using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// Why a queued task that requires worker tags, or belongs to a group with limits, has not started: no live worker
/// offers its tags, the workers that do are busy, or its group runs as many tasks as it may.
/// </summary>
public static class PlacementReasons
{
    public static string? Explain(TaskSnapshot task, SchedulerView view)
    {
        if (task.Requires.Count > 0)
        {
            var live = view.Workers.Where(w => w.Confirmed && !w.Draining).ToList();
            var missing = task.Requires.FirstOrDefault(t => !live.Exists(w => w.Tags.Contains(t, StringComparer.Ordinal)));
            if (missing is not null)
            {
                return $"no live worker has tag {missing}";
            }

            var able = live.Where(w => TagNames.Covers(w.Tags, task.Requires)).ToList();
            if (able.Count == 0)
            {
                return $"no live worker has all of the tags {string.Join(", ", task.Requires)}";
            }

            if (able.Sum(w => Math.Max(0, w.Capacity - w.InFlight)) == 0)
            {
                return $"every slot of the {able.Count} workers with tags {string.Join(", ", task.Requires)} is busy";
            }
        }

        var group = GroupShares.NameOf(task.Group);
        return view.Groups.FirstOrDefault(g => g.Group == group) is { MaxRunning: { } max } load && load.Running >= max
            ? $"group {group} runs {load.Running} tasks, its limit (Scheduler:Groups:{group}:MaxRunning)"
            : null;
    }
}
