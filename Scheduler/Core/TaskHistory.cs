using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// A task's history as the journal keeps it: inside the task's own document, which every change rewrites anyway,
/// so history costs no extra write. The first step, "accepted", follows from the task's fields and is not stored:
/// the backlog of tasks that have only been accepted carries no history in memory.
/// </summary>
public static class TaskHistory
{
    public static TaskHistoryEntry Accepted(DateTimeOffset submittedAt, int priority, int dependencies, int maxRetries)
    {
        var detail = $"priority {priority.ToString(CultureInfo.InvariantCulture)}";
        if (dependencies > 0)
        {
            detail += $"; depends on {dependencies.ToString(CultureInfo.InvariantCulture)} tasks";
        }

        if (maxRetries > 0)
        {
            detail += $"; up to {maxRetries.ToString(CultureInfo.InvariantCulture)} retries";
        }

        return new TaskHistoryEntry(submittedAt, TaskHistoryEvents.Accepted, null, null, detail);
    }

    /// <summary>Every step of a journaled task's life, oldest first.</summary>
    public static IReadOnlyList<TaskHistoryEntry> Of(TaskSnapshot task) =>
        [Accepted(task.SubmittedAt, task.Priority, task.DependsOn.Count, task.MaxRetries), .. task.History];
}
