using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// Who waits for whom among unfinished tasks. Each unfinished task keeps the list of tasks waiting for it, so
/// finishing it touches exactly its dependents: a fan-out of n costs n, and a chain costs one step per link.
/// </summary>
public sealed class DependencyTracker
{
    private readonly Dictionary<Guid, List<ScheduledTask>> _dependents = [];

    /// <summary>Pending tasks that still wait on at least one dependency.</summary>
    public int WaitingCount { get; private set; }

    /// <summary>
    /// Starts tracking a Pending task: each dependency still in <paramref name="unfinished"/> counts against it.
    /// Returns true when it waits on at least one.
    /// </summary>
    public bool Track(ScheduledTask task, IReadOnlyDictionary<Guid, ScheduledTask> unfinished) => Track(task, unfinished.ContainsKey);

    /// <summary>As <see cref="Track(ScheduledTask, IReadOnlyDictionary{Guid, ScheduledTask})"/>, with whether a dependency is unfinished asked of <paramref name="unfinished"/>.</summary>
    public bool Track(ScheduledTask task, Func<Guid, bool> unfinished)
    {
        var waitingOn = 0;
        foreach (var dependency in task.DependsOn)
        {
            if (!unfinished(dependency))
            {
                continue;
            }

            if (!_dependents.TryGetValue(dependency, out var list))
            {
                list = [];
                _dependents.Add(dependency, list);
            }

            list.Add(task);
            waitingOn++;
        }

        task.UnfinishedDependencies = waitingOn;
        if (waitingOn > 0)
        {
            WaitingCount++;
        }

        return waitingOn > 0;
    }

    /// <summary>
    /// The tasks waited for that <paramref name="unfinished"/> no longer holds: after a restore, those counted as
    /// unfinished because they were not loaded yet, and that turned out to have completed before it.
    /// </summary>
    public List<Guid> WaitedForAndGone(Func<Guid, bool> unfinished) => [.. _dependents.Keys.Where(id => !unfinished(id))];

    /// <summary>A task completed: returns its dependents that now wait on nothing, ready to be queued.</summary>
    public List<ScheduledTask> Completed(Guid id)
    {
        var released = new List<ScheduledTask>();
        if (!_dependents.Remove(id, out var list))
        {
            return released;
        }

        foreach (var task in list)
        {
            // A dependent that failed or was cancelled meanwhile stays in the list until here: skipping it is cheaper
            // than finding it in every list it sits in.
            if (!task.IsWaitingOnDependencies)
            {
                continue;
            }

            task.UnfinishedDependencies--;
            if (task.UnfinishedDependencies == 0)
            {
                WaitingCount--;
                released.Add(task);
            }
        }

        return released;
    }

    /// <summary>A task failed or was cancelled: returns its dependents still waiting, which can now never run.</summary>
    public List<ScheduledTask> Doomed(Guid id)
    {
        if (!_dependents.Remove(id, out var list))
        {
            return [];
        }

        return list.Where(t => t.IsWaitingOnDependencies).Distinct().ToList();
    }

    /// <summary>A waiting task leaves (it failed or was cancelled): it no longer counts as waiting.</summary>
    public void Forget(ScheduledTask task)
    {
        if (task.UnfinishedDependencies > 0)
        {
            task.UnfinishedDependencies = 0;
            WaitingCount--;
        }
    }
}
