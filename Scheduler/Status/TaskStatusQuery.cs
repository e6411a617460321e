using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.Scheduler.Status;

/// <summary>Answers "what happened to task X" from the journal, and for a Pending task, why it waits.</summary>
public sealed class TaskStatusQuery
{
    private readonly TaskJournal _journal;
    private readonly SchedulerState _state;

    public TaskStatusQuery(TaskJournal journal, SchedulerState state)
    {
        _journal = journal;
        _state = state;
    }

    public TaskStatusView? Find(Guid id)
    {
        var task = _journal.Find(id);
        if (task is null)
        {
            return null;
        }

        var reason = task.State == TaskState.Pending ? PendingReasons.Explain(task.Priority, task.Note, _state.View) : null;
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
            task.PayloadBytes);
    }
}
