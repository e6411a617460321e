using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// A restore in progress (docs/architecture.md, "Restore"): the journal's pending tasks arrive in dispatch order
/// (highest priority first, then oldest acceptance), in chunks, while the scheduler already dispatches. Every pending
/// task that ranks at or before the frontier (the last one read) is loaded; one that ranks after it may be outranked
/// by a task not read yet, so it is not dispatched, nor preempts, until the frontier passes it. A new task ranks
/// after every journaled task of its priority (its sequence is higher), so it waits for them as it would have.
/// Also remembers the tasks that failed or were cancelled during the restore, so a task read later that depends on
/// one of them fails as it would have had it been known.
/// </summary>
public sealed class RestoreFrontier
{
    /// <summary>Before any chunk: ranks before every task, so nothing is dispatched ahead of the journal's head.</summary>
    private static readonly PendingEntry Start = new(int.MaxValue, long.MinValue, Guid.Empty);

    private readonly Dictionary<Guid, TaskState> _ended = [];

    public PendingEntry Frontier { get; private set; } = Start;

    /// <summary>Pending tasks read from the journal so far (loaded, or already held and skipped), and on demand.</summary>
    public long Loaded { get; private set; }

    /// <summary>Pending tasks the journal held when the restore began, once counted.</summary>
    public long? Total { get; set; }

    /// <summary>Whether a pending task may be dispatched now: it ranks at or before the frontier.</summary>
    public bool Admits(PendingEntry entry) => PendingEntry.DispatchOrder.Compare(entry, Frontier) <= 0;

    /// <summary>A chunk was read up to <paramref name="last"/> (the last task of the chunk, in dispatch order).</summary>
    public void Advance(PendingEntry last, int read)
    {
        if (PendingEntry.DispatchOrder.Compare(last, Frontier) > 0)
        {
            Frontier = last;
        }

        Loaded += read;
    }

    /// <summary>A task was loaded out of order, because an operation named it.</summary>
    public void LoadedOnDemand() => Loaded++;

    /// <summary>A task failed or was cancelled (or was retried: then it counts no more) during the restore.</summary>
    public void Ended(Guid id, TaskState state)
    {
        if (state is TaskState.Failed or TaskState.Cancelled)
        {
            _ended[id] = state;
        }
        else
        {
            _ended.Remove(id);
        }
    }

    /// <summary>How a dependency ended during the restore, if it failed or was cancelled then.</summary>
    public TaskState? EndedAs(Guid id) => _ended.TryGetValue(id, out var state) ? state : null;
}
