namespace TaskScheduler.Scheduler.Core;

/// <summary>Explains, in words an operator understands, why a Pending task has not started yet.</summary>
public static class PendingReasons
{
    public static string Explain(int priority, string? note, SchedulerView view)
    {
        var ahead = view.PendingByPriority.Where(p => p.Key > priority).Sum(p => p.Value);
        var why = !view.Workers.Any(w => w.Confirmed && !w.Draining)
            ? "no worker registered"
            : view.FreeSlots == 0
                ? $"every worker slot is busy; {ahead} pending tasks of higher priority go first"
                : $"queued; {ahead} pending tasks of higher priority go first";
        return note is null ? why : $"{why} ({note})";
    }
}
