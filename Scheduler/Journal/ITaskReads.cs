using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// The read side of the journal, for status, history and the task list (Status/): any thread may call it, and it
/// never writes. <see cref="TaskJournal"/> implements it beside the loop's write side, <c>Engine/IJournal</c>.
/// </summary>
public interface ITaskReads
{
    /// <summary>The task as last committed, or null when the journal does not hold it.</summary>
    TaskSnapshot? Find(Guid id);

    /// <summary>The task's history as last committed; empty when the journal does not hold it.</summary>
    IReadOnlyList<TaskHistoryEntry> History(Guid id);

    /// <summary>One page of the task list; a <see cref="FormatException"/> for a cursor this filter's list did not give.</summary>
    TaskPage List(TaskListFilter filter);
}
