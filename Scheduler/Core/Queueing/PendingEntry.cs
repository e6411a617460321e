using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>A pending task as the queue reports it: its place (priority, then acceptance sequence) and its id.</summary>
public readonly record struct PendingEntry(int Priority, long Sequence, Guid TaskId)
{
    /// <summary>Highest priority first, then oldest acceptance; the id only breaks ties that cannot occur.</summary>
    public static readonly IComparer<PendingEntry> DispatchOrder = Comparer<PendingEntry>.Create(static (x, y) =>
    {
        var byPriority = y.Priority.CompareTo(x.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var bySequence = x.Sequence.CompareTo(y.Sequence);
        return bySequence != 0 ? bySequence : x.TaskId.CompareTo(y.TaskId);
    });

    public static PendingEntry Of(ScheduledTask task) => new(task.Priority, task.Sequence, task.Id);
}
