using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Status;

/// <summary>Answers "what happened to task X" from the journal, and for a Pending task, why it waits.</summary>
public sealed class TaskStatusQuery(ITaskReads journal, PublishedView state, TimeProvider time)
{
    public TaskStatusView? Find(Guid id)
    {
        var task = journal.Find(id);
        if (task is null)
        {
            return null;
        }

        string? reason = null;
        var unfinished = 0;
        if (task.State == TaskState.Pending)
        {
            // The journal is the committed truth: a dependency counts as unfinished until its completion is committed.
            // One the journal no longer holds has expired, which only a finished task does (and a pending dependent
            // means it completed: a failed or cancelled one fails its dependents at once).
            unfinished = task.DependsOn.Count(d => journal.Find(d) is { State: not TaskState.Completed });
            reason = PendingReasons.Explain(task, unfinished, state.View, time.GetUtcNow());
        }

        return new TaskStatusView(
            task.Id,
            task.State,
            task.Priority,
            task.Attempts,
            task.WorkerId,
            task.SubmittedAt,
            task.StartedAt ?? task.AssignedAt,
            task.FinishedAt,
            task.Error,
            reason,
            task.PayloadBytes)
        {
            DependsOn = task.DependsOn,
            UnfinishedDependencies = unfinished,
            MaxRetries = task.MaxRetries,
            Retries = task.Retries,
            RetryAt = task.State == TaskState.Pending ? task.RetryAt : null,
            Preemptions = task.Preemptions,
            Checkpoint = task.Checkpoint,
            Result = task.Result,
            Timeout = task.Timeout,
            RunAt = task.RunAt,
            Requires = task.Requires,
            Group = task.Group,
            Progress = task.State == TaskState.Running ? state.Progress(task.Id) : null,
        };
    }

    /// <summary>The task's journaled history, oldest first, or null when no task has this id.</summary>
    public IReadOnlyList<TaskHistoryEntry>? History(Guid id) =>
        journal.Find(id) is null ? null : journal.History(id);
}
