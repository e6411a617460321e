using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// Chooses which running task gives up its slot for a pending task: the one of lowest priority, the most recently
/// started among equals, among those the guards allow.
/// </summary>
public static class PreemptionPlanner
{
    public static ScheduledTask? ChooseVictim(
        int pendingPriority, IEnumerable<(ScheduledTask Task, WorkerEntry Worker)> running, PreemptionOptions options, DateTimeOffset now)
    {
        ScheduledTask? best = null;
        foreach (var (task, worker) in running)
        {
            if (!IsPreemptable(task, worker, pendingPriority, options, now))
            {
                continue;
            }

            if (best is null
                || task.Priority < best.Priority
                || (task.Priority == best.Priority && StartOf(task) > StartOf(best)))
            {
                best = task;
            }
        }

        return best;
    }

    public static bool IsPreemptable(ScheduledTask task, WorkerEntry worker, int pendingPriority, PreemptionOptions options, DateTimeOffset now)
    {
        if (!options.Enabled || task.PreemptRequestedAt is not null || !worker.Confirmed || worker.Draining)
        {
            // A draining worker would not reuse the slot; an unconfirmed one may not even run the task.
            return false;
        }

        if ((long)task.Priority + options.PriorityMargin > pendingPriority)
        {
            return false;
        }

        if (task.Preemptions >= options.MaxPerTask || now - StartOf(task) < options.MinRunTime)
        {
            return false;
        }

        return task.RemainingAt(now) is not { } remaining || remaining > options.FinishingWithin;
    }

    private static DateTimeOffset StartOf(ScheduledTask task) => task.StartedAt ?? task.AssignedAt ?? DateTimeOffset.MaxValue;
}
