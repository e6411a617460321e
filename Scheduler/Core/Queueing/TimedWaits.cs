using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// Tasks waiting for the clock, by the time they may join the queue: retries waiting out a backoff, and delayed tasks
/// waiting for their start (<see cref="ScheduledTask.DueAt"/>). The loop wakes at <see cref="NextAt"/>.
/// </summary>
public sealed class TimedWaits
{
    private readonly SortedSet<(DateTimeOffset At, long Sequence, Guid Id)> _due = [];

    public int Count => _due.Count;

    /// <summary>When the next task is due, or null when none waits.</summary>
    public DateTimeOffset? NextAt => _due.Count == 0 ? null : _due.Min.At;

    public void Add(ScheduledTask task) => _due.Add(Key(task));

    public bool Remove(ScheduledTask task) => _due.Remove(Key(task));

    /// <summary>Removes and returns the ids of every task due at <paramref name="now"/>, earliest first.</summary>
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
        (task.DueAt ?? throw new InvalidOperationException($"Task {task.Id} waits for no time."), task.Sequence, task.Id);
}
