using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// The pending tasks of one tenant group that need one set of worker tags, in dispatch order: highest priority
/// first, then oldest acceptance. Dispatch picks between lanes (<see cref="DispatchRound"/>); within a lane the
/// order is the queue's. Each priority holds its tasks in acceptance order (<see cref="TasksBySequence"/>), so an
/// entry costs a task reference in a B+ tree leaf.
/// </summary>
public sealed class PendingLane
{
    // Highest priority first; a priority is dropped once it holds no task.
    private readonly SortedList<int, TasksBySequence> _byPriority = new(Comparer<int>.Create(static (a, b) => b.CompareTo(a)));

    public PendingLane(string? group, IReadOnlyList<string> requires)
    {
        Group = group;
        Requires = requires;
        Pool = TagNames.Pool(requires);
    }

    /// <summary>The tenant group; null for the default group.</summary>
    public string? Group { get; }

    /// <summary>The worker tags every task of the lane needs, sorted.</summary>
    public IReadOnlyList<string> Requires { get; }

    /// <summary>The pool the lane's tasks run in: its tags joined by <c>+</c>, or <c>default</c>.</summary>
    public string Pool { get; }

    public int Count { get; private set; }

    /// <summary>The lane's first task; only for a lane that is not empty.</summary>
    public PendingEntry Head
    {
        get
        {
            var first = _byPriority.Values[0].First;
            return new PendingEntry(_byPriority.Keys[0], first.Sequence, first.Id);
        }
    }

    /// <summary>The lane in dispatch order, lazily.</summary>
    internal IEnumerable<PendingEntry> Entries
    {
        get
        {
            foreach (var (priority, tasks) in _byPriority)
            {
                foreach (var task in tasks)
                {
                    yield return new PendingEntry(priority, task.Sequence, task.Id);
                }
            }
        }
    }

    /// <summary>Adds the task at its place; false when it is already there.</summary>
    internal bool Add(ScheduledTask task)
    {
        if (!_byPriority.TryGetValue(task.Priority, out var tasks))
        {
            tasks = new TasksBySequence();
            _byPriority.Add(task.Priority, tasks);
        }

        if (!tasks.Add(task))
        {
            return false;
        }

        Count++;
        return true;
    }

    /// <summary>Removes the task, found by its priority, sequence and id; false when it is not there.</summary>
    internal bool Remove(ScheduledTask task)
    {
        if (!_byPriority.TryGetValue(task.Priority, out var tasks) || !tasks.Remove(task))
        {
            return false;
        }

        Dropped(task.Priority, tasks);
        return true;
    }

    /// <summary>Takes the lane's first task; only for a lane that is not empty.</summary>
    internal PendingEntry TakeHead()
    {
        var priority = _byPriority.Keys[0];
        var tasks = _byPriority.Values[0];
        var first = tasks.First;
        tasks.Remove(first);
        Dropped(priority, tasks);
        return new PendingEntry(priority, first.Sequence, first.Id);
    }

    private void Dropped(int priority, TasksBySequence tasks)
    {
        Count--;
        if (tasks.Count == 0)
        {
            _byPriority.Remove(priority);
        }
    }
}
