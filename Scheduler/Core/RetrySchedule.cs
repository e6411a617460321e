namespace TaskScheduler.Scheduler.Core;

/// <summary>Tasks waiting out a retry backoff, by the time they may run again.</summary>
public sealed class RetrySchedule
{
    private readonly SortedSet<(DateTimeOffset At, long Sequence, Guid Id)> _due = [];

    public int Count => _due.Count;

    /// <summary>When the next retry is due, or null when none waits.</summary>
    public DateTimeOffset? NextAt => _due.Count == 0 ? null : _due.Min.At;

    public void Add(ScheduledTask task) => _due.Add(Key(task));

    public bool Remove(ScheduledTask task) => _due.Remove(Key(task));

    /// <summary>Removes and returns the ids of every retry due at <paramref name="now"/>, earliest first.</summary>
    public List<Guid> TakeDue(DateTimeOffset now)
    {
        var due = new List<Guid>();
        while (_due.Count > 0 && _due.Min.At <= now)
        {
            var first = _due.Min;
            _due.Remove(first);
            due.Add(first.Id);
        }

        return due;
    }

    private static (DateTimeOffset, long, Guid) Key(ScheduledTask task) =>
        (task.RetryAt ?? throw new InvalidOperationException($"Task {task.Id} has no retry time."), task.Sequence, task.Id);
}
