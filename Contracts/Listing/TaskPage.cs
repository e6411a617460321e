namespace TaskScheduler.Contracts.Listing;

/// <summary>
/// One page of a task list, newest first. <see cref="Next"/> continues it; null means there is nothing more. A page
/// may hold fewer tasks than asked (even none) and still have a <see cref="Next"/>: the scheduler reads a bounded
/// number of journal entries per page, so a filter the indexes cannot narrow never makes one request slow.
/// </summary>
public sealed record TaskPage(IReadOnlyList<TaskSummary> Tasks, string? Next);
