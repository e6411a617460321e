using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Dispatching;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// Pending tasks in dispatch order: highest priority first, then oldest acceptance. Holds only a reference to each
/// task, in B+ tree leaves, so a million pending tasks stay small; a requeued task keeps its sequence and so returns
/// to its original place.
/// Tasks are kept in lanes, one per tenant group and set of required worker tags, so that dispatch can share slots
/// between groups and send tasks only where they can run (<see cref="DispatchRound"/>). Plain tasks share one lane.
/// </summary>
public sealed class PendingQueue
{
    private readonly Dictionary<(string? Group, string Pool), PendingLane> _lanes = [];
    private readonly SortedDictionary<int, int> _countByPriority = new(Comparer<int>.Create((a, b) => b.CompareTo(a)));

    // The plain tasks' lane, found without hashing a key (the hot path), and kept when empty.
    private readonly PendingLane _plain = new(null, []);

    public PendingQueue() => _lanes.Add((null, _plain.Pool), _plain);

    public int Count { get; private set; }

    /// <summary>
    /// The lanes: empty ones are dropped (but for the plain tasks' lane), so there are never more lanes than pending
    /// tasks plus one.
    /// </summary>
    public IReadOnlyCollection<PendingLane> Lanes => _lanes.Values;

    public void Add(ScheduledTask task)
    {
        var lane = LaneOf(task, create: true)!;
        if (lane.Add(task))
        {
            Count++;
            _countByPriority[task.Priority] = _countByPriority.GetValueOrDefault(task.Priority) + 1;
        }
    }

    public bool TryPeek(out Guid taskId)
    {
        var first = First();
        taskId = first?.Head.TaskId ?? Guid.Empty;
        return first is not null;
    }

    public bool TryDequeue(out Guid taskId)
    {
        var first = First();
        taskId = first?.Head.TaskId ?? Guid.Empty;
        return first is not null && Take(first, out _);
    }

    public bool Remove(ScheduledTask task)
    {
        var lane = LaneOf(task, create: false);
        if (lane is null || !lane.Remove(task))
        {
            return false;
        }

        Removed(lane, task.Priority);
        return true;
    }

    /// <summary>Takes the first task of <paramref name="lane"/>.</summary>
    public bool Take(PendingLane lane, out Guid taskId)
    {
        if (lane.Count == 0)
        {
            taskId = Guid.Empty;
            return false;
        }

        var head = lane.TakeHead();
        Removed(lane, head.Priority);
        taskId = head.TaskId;
        return true;
    }

    /// <summary>The queue in dispatch order, lazily: stop early to pay only for what is read.</summary>
    public IEnumerable<(int Priority, Guid TaskId)> InOrder()
    {
        if (_lanes.Count == 1)
        {
            foreach (var entry in _plain.Entries)
            {
                yield return (entry.Priority, entry.TaskId);
            }

            yield break;
        }

        // Several lanes: merge them, one enumerator per lane.
        var heads = new PriorityQueue<IEnumerator<PendingEntry>, PendingEntry>(PendingEntry.DispatchOrder);
        foreach (var lane in _lanes.Values.ToList())
        {
            var e = lane.Entries.GetEnumerator();
            if (e.MoveNext())
            {
                heads.Enqueue(e, e.Current);
            }
        }

        while (heads.TryDequeue(out var e, out var entry))
        {
            yield return (entry.Priority, entry.TaskId);
            if (e.MoveNext())
            {
                heads.Enqueue(e, e.Current);
            }
        }
    }

    /// <summary>How many lanes the queue would hold with tasks of these groups and tags added.</summary>
    public int LanesAfter(IEnumerable<(string? Group, IReadOnlyList<string> Requires)> tasks)
    {
        var added = new HashSet<(string?, string)>();
        foreach (var (group, requires) in tasks)
        {
            var key = (group, Contracts.TagNames.Pool(requires));
            if ((group is not null || requires.Count > 0) && !_lanes.ContainsKey(key))
            {
                added.Add(key);
            }
        }

        return _lanes.Count + added.Count;
    }

    /// <summary>Pending counts by priority, highest first.</summary>
    public IReadOnlyList<KeyValuePair<int, int>> CountByPriority() => [.. _countByPriority];

    private PendingLane? First()
    {
        PendingLane? first = null;
        foreach (var lane in _lanes.Values)
        {
            if (lane.Count == 0)
            {
                continue;
            }

            if (first is null || PendingEntry.DispatchOrder.Compare(lane.Head, first.Head) < 0)
            {
                first = lane;
            }
        }

        return first;
    }

    private PendingLane? LaneOf(ScheduledTask task, bool create)
    {
        if (task.Group is null && task.Requires.Count == 0)
        {
            return _plain;
        }

        var key = (task.Group, Contracts.TagNames.Pool(task.Requires));
        if (!_lanes.TryGetValue(key, out var lane) && create)
        {
            lane = new PendingLane(task.Group, task.Requires);
            _lanes.Add(key, lane);
        }

        return lane;
    }

    private void Removed(PendingLane lane, int priority)
    {
        Count--;
        var left = _countByPriority[priority] - 1;
        if (left == 0)
        {
            _countByPriority.Remove(priority);
        }
        else
        {
            _countByPriority[priority] = left;
        }

        if (lane.Count == 0 && lane != _plain)
        {
            _lanes.Remove((lane.Group, lane.Pool));
        }
    }
}
