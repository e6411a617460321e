using System.Globalization;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>Explains, in words an operator understands, why a Pending task has not started yet.</summary>
public static class PendingReasons
{
    /// <summary>Why a task in the queue waits: no worker, no free slot, or tasks ahead of it.</summary>
    public static string Explain(int priority, string? note, SchedulerView view)
    {
        var ahead = view.PendingByPriority.Where(p => p.Key > priority).Sum(p => p.Value);
        var why = !view.Workers.Any(w => w.Confirmed && !w.Draining)
            ? "no worker registered"
            : view.FreeSlots == 0
                ? $"every worker slot is busy; {ahead} pending tasks of higher priority go first"
                : $"queued; {ahead} pending tasks of higher priority go first";
        if (view.Restore is { } restore)
        {
            // The counts above are of what is read so far; the frontier is the core's, not in the view.
            why += string.Create(CultureInfo.InvariantCulture,
                $"; the scheduler is reading its journal back ({restore.Loaded:N0} of {(restore.Total is { } total ? total.ToString("N0", CultureInfo.InvariantCulture) : "?")} pending tasks read) and dispatches a task once every task that outranks it is read");
        }

        return note is null ? why : $"{why} ({note})";
    }

    /// <summary>
    /// Why a Pending task waits, most specific first: unfinished dependencies, a retry's backoff, a preemption (and
    /// then whatever holds up the queue).
    /// </summary>
    public static string Explain(TaskSnapshot task, int unfinishedDependencies, SchedulerView view, DateTimeOffset now)
    {
        if (unfinishedDependencies > 0)
        {
            return $"waiting on dependencies: {unfinishedDependencies} of {task.DependsOn.Count} not completed yet";
        }

        if (task.Wait == PendingWait.RetryBackoff && task.RetryAt is { } retryAt && retryAt > now)
        {
            return $"retry backoff until {retryAt.ToString("O", CultureInfo.InvariantCulture)} " +
                $"(retry {task.Retries} of {task.MaxRetries}; the last attempt failed: {task.Error})";
        }

        if (task.RunAt is { } runAt && runAt > now && task.Attempts == 0)
        {
            return $"scheduled for {runAt.ToString("O", CultureInfo.InvariantCulture)}";
        }

        if (PlacementReasons.Explain(task, view) is { } placement)
        {
            return task.Note is null ? placement : $"{placement} ({task.Note})";
        }

        if (task.Wait == PendingWait.Preempted)
        {
            var from = task.Checkpoint is null ? "from the start (no checkpoint saved)" : "from its checkpoint";
            return $"{task.Note ?? "preempted"}; waiting to resume {from}; {Explain(task.Priority, null, view)}";
        }

        return Explain(task.Priority, task.Note, view);
    }
}
