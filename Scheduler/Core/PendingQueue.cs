namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// Pending tasks in dispatch order: highest priority first, then oldest acceptance. Holds only ids and keys, so a
/// million pending tasks stay small; a requeued task keeps its sequence and so returns to its original place.
/// </summary>
public sealed class PendingQueue
{
    private readonly SortedSet<Entry> _entries = new(EntryComparer.Instance);
    private readonly SortedDictionary<int, int> _countByPriority = new(Comparer<int>.Create((a, b) => b.CompareTo(a)));

    public int Count => _entries.Count;

    public void Add(ScheduledTask task)
    {
        if (_entries.Add(new Entry(task.Priority, task.Sequence, task.Id)))
        {
            _countByPriority[task.Priority] = _countByPriority.GetValueOrDefault(task.Priority) + 1;
        }
    }

    public bool TryPeek(out Guid taskId)
    {
        if (_entries.Count == 0)
        {
            taskId = Guid.Empty;
            return false;
        }

        taskId = _entries.Min.TaskId;
        return true;
    }

    public bool TryDequeue(out Guid taskId)
    {
        if (_entries.Count == 0)
        {
            taskId = Guid.Empty;
            return false;
        }

        var first = _entries.Min;
        _entries.Remove(first);
        Decrement(first.Priority);
        taskId = first.TaskId;
        return true;
    }

    public bool Remove(ScheduledTask task)
    {
        if (!_entries.Remove(new Entry(task.Priority, task.Sequence, task.Id)))
        {
            return false;
        }

        Decrement(task.Priority);
        return true;
    }

    /// <summary>The queue in dispatch order, lazily: stop early to pay only for what is read.</summary>
    public IEnumerable<(int Priority, Guid TaskId)> InOrder()
    {
        foreach (var entry in _entries)
        {
            yield return (entry.Priority, entry.TaskId);
        }
    }

    /// <summary>Pending counts by priority, highest first.</summary>
    public IReadOnlyList<KeyValuePair<int, int>> CountByPriority() => [.. _countByPriority];

    private void Decrement(int priority)
    {
        var left = _countByPriority[priority] - 1;
        if (left == 0)
        {
            _countByPriority.Remove(priority);
        }
        else
        {
            _countByPriority[priority] = left;
        }
    }

    private readonly record struct Entry(int Priority, long Sequence, Guid TaskId);

    private sealed class EntryComparer : IComparer<Entry>
    {
        public static readonly EntryComparer Instance = new();

        public int Compare(Entry x, Entry y)
        {
            var byPriority = y.Priority.CompareTo(x.Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }

            var bySequence = x.Sequence.CompareTo(y.Sequence);
            return bySequence != 0 ? bySequence : x.TaskId.CompareTo(y.TaskId);
        }
    }
}
