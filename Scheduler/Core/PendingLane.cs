using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// The pending tasks of one tenant group that need one set of worker tags, in dispatch order: highest priority
/// first, then oldest acceptance. Dispatch picks between lanes (<see cref="DispatchRound"/>); within a lane the
/// order is the queue's.
/// </summary>
public sealed class PendingLane
{
    private readonly SortedSet<PendingEntry> _entries = new(PendingEntry.DispatchOrder);

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

    public int Count => _entries.Count;

    /// <summary>The lane's first task; only for a lane that is not empty.</summary>
    public PendingEntry Head => _entries.Min;

    internal SortedSet<PendingEntry> Entries => _entries;

    internal bool Add(PendingEntry entry) => _entries.Add(entry);

    internal bool Remove(PendingEntry entry) => _entries.Remove(entry);
}
