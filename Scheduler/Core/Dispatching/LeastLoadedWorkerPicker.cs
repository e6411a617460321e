using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// Chooses the worker for the next task: only workers with a free slot, the lowest load ratio first, and among
/// equals the one that has waited longest. Which task goes next is the pending queue's order
/// (<see cref="PendingQueue"/>); <see cref="SchedulerCore"/>'s Dispatch pairs the two.
/// </summary>
public static class LeastLoadedWorkerPicker
{
    public static WorkerEntry? Choose(IEnumerable<WorkerEntry> workers)
    {
        WorkerEntry? best = null;
        foreach (var w in workers)
        {
            if (!w.CanTakeWork)
            {
                continue;
            }

            if (best is null || IsBetter(w, best))
            {
                best = w;
            }
        }

        return best;
    }

    private static bool IsBetter(WorkerEntry candidate, WorkerEntry best)
    {
        var byLoad = candidate.LoadRatio.CompareTo(best.LoadRatio);
        if (byLoad != 0)
        {
            return byLoad < 0;
        }

        var byWait = candidate.IdleSince.CompareTo(best.IdleSince);
        return byWait != 0 ? byWait < 0 : string.CompareOrdinal(candidate.Id, best.Id) < 0;
    }
}
