using TaskScheduler.Contracts.Listing;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.Scheduler.Status;

/// <summary>Pages of the task list for HTTP, from the journal's indexes (<see cref="TaskListing"/>); any thread.</summary>
public sealed class TaskListQuery(ITaskReads journal)
{
    /// <summary>One page; a <see cref="FormatException"/> for a cursor that is not one this filter's list gave.</summary>
    public TaskPage List(TaskListFilter filter) => journal.List(filter);
}
