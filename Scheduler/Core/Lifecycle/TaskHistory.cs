using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core.Lifecycle;

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

    /// <summary>
    /// Appends a step, its detail cut to <see cref="Limits.MaxReasonChars"/>. A history keeps its first
    /// <see cref="Limits.HistoryHead"/> steps and its latest <see cref="Limits.HistoryTail"/>: the steps between are
    /// replaced by one <see cref="TaskHistoryEvents.Truncated"/> step that counts them, so a task requeued or
    /// retried without end cannot grow its journal document without end.
    /// </summary>
    public static void Append(List<TaskHistoryEntry> history, TaskHistoryEntry entry)
    {
        history.Add(entry.Detail is { Length: > Limits.MaxReasonChars } detail
            ? entry with { Detail = BoundedText.Truncate(detail, Limits.MaxReasonChars) }
            : entry);
        while (history.Count > Limits.HistoryHead + 1 + Limits.HistoryTail)
        {
            // The marker (or, the first time, the step where it goes) and the step after it make way for the marker.
            var first = history[Limits.HistoryHead];
            var dropped = first.Event == TaskHistoryEvents.Truncated ? DroppedBy(first) + 1 : 2;
            var lastDropped = history[Limits.HistoryHead + 1];
            history.RemoveRange(Limits.HistoryHead, 2);
            history.Insert(Limits.HistoryHead, new TaskHistoryEntry(
                lastDropped.At, TaskHistoryEvents.Truncated, null, null, DroppedDetail(dropped)));
        }
    }

    /// <summary>How many steps a <see cref="TaskHistoryEvents.Truncated"/> step stands for.</summary>
    public static int DroppedBy(TaskHistoryEntry marker)
    {
        var detail = marker.Detail ?? "";
        var end = detail.IndexOf(' ', StringComparison.Ordinal);
        return int.TryParse(end < 0 ? detail : detail[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private static string DroppedDetail(int dropped) =>
        $"{dropped.ToString(CultureInfo.InvariantCulture)} steps dropped here to keep the history short";
}
