using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// One dispatch: fills free worker slots from the pending queue's lanes. Priority comes first: the next task is the
/// head of highest priority among the lanes that can start one. Among lanes whose heads share that priority the
/// slot goes to the group with the lowest running / weight (fair share), then to the oldest head. A lane whose group
/// is at a limit waits; a lane whose tags no worker with a free slot offers waits for the rest of the round, and
/// lanes of other pools go on. Within the lane's pool the least-loaded worker wins (<see cref="LeastLoadedWorkerPicker"/>).
/// </summary>
public sealed class DispatchRound
{
    private readonly PendingQueue _queue;
    private readonly IReadOnlyCollection<WorkerEntry> _workers;
    private readonly GroupShares _shares;
    private readonly DateTimeOffset _now;
    private readonly bool _shared;
    private HashSet<string>? _fullPools;

    /// <param name="groupOf">The group of a running task, by id, for the running counts.</param>
    public DispatchRound(PendingQueue queue, IReadOnlyCollection<WorkerEntry> workers, GroupShares shares, Func<Guid, string?> groupOf, DateTimeOffset now)
    {
        _queue = queue;
        _workers = workers;
        _shares = shares;
        _now = now;
        _shared = shares.HasLimits || SeveralGroupsWait(queue);
        if (_shared)
        {
            // Counted afresh each round rather than kept up to date at every end of an attempt: a round costs one look
            // at each running task, and only when groups compete or have limits.
            shares.Count(workers.SelectMany(w => w.InFlight).Select(groupOf));
        }
    }

    /// <summary>
    /// Which heads may start, or null for all: during a restore, those at or before its frontier
    /// (<see cref="RestoreFrontier"/>). A lane is in dispatch order, so a lane whose head may not start waits whole.
    /// </summary>
    public Func<PendingEntry, bool>? Admits { get; init; }

    /// <summary>The next task to start and the worker to run it, or false when no free slot can take any.</summary>
    public bool TryTake(out Guid taskId, out WorkerEntry worker)
    {
        while (true)
        {
            var lane = Best();
            if (lane is null)
            {
                break;
            }

            var chosen = lane.Requires.Count == 0
                ? LeastLoadedWorkerPicker.Choose(_workers)
                : LeastLoadedWorkerPicker.Choose(_workers.Where(w => TagNames.Covers(w.Tags, lane.Requires)));
            if (chosen is null)
            {
                if (lane.Requires.Count == 0)
                {
                    // No free slot anywhere.
                    break;
                }

                (_fullPools ??= []).Add(lane.Pool);
                continue;
            }

            _queue.Take(lane, out taskId);
            if (_shared)
            {
                _shares.Started(lane.Group, _now);
            }

            worker = chosen;
            return true;
        }

        taskId = Guid.Empty;
        worker = null!;
        return false;
    }

    private PendingLane? Best()
    {
        PendingLane? best = null;
        var bestUsage = 0.0;
        foreach (var lane in _queue.Lanes)
        {
            if (lane.Count == 0 || (Admits is not null && !Admits(lane.Head)) || (_fullPools?.Contains(lane.Pool) ?? false) || (_shared && !_shares.CanStart(lane.Group, _now)))
            {
                continue;
            }

            var usage = _shared ? _shares.Usage(lane.Group) : 0;
            if (best is null || IsBefore(lane, usage, best, bestUsage))
            {
                best = lane;
                bestUsage = usage;
            }
        }

        return best;
    }

    private static bool IsBefore(PendingLane lane, double usage, PendingLane best, double bestUsage)
    {
        var head = lane.Head;
        var bestHead = best.Head;
        if (head.Priority != bestHead.Priority)
        {
            return head.Priority > bestHead.Priority;
        }

        if (usage != bestUsage && !string.Equals(lane.Group, best.Group, StringComparison.Ordinal))
        {
            return usage < bestUsage;
        }

        return head.Sequence < bestHead.Sequence;
    }

    private static bool SeveralGroupsWait(PendingQueue queue)
    {
        string? first = null;
        var seen = false;
        foreach (var lane in queue.Lanes)
        {
            if (lane.Count == 0)
            {
                continue;
            }

            if (!seen)
            {
                first = lane.Group;
                seen = true;
            }
            else if (!string.Equals(first, lane.Group, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
