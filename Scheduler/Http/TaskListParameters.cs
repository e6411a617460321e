using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The query string of <c>GET /api/tasks</c> and <c>POST /api/tasks/retry</c>: the filters of <see cref="TaskListFilter"/>.</summary>
public sealed class TaskListParameters
{
    /// <summary>Pending, Running, Completed, Failed or Cancelled (any case).</summary>
    public string? State { get; init; }

    public int? Priority { get; init; }

    public string? Worker { get; init; }

    public DateTimeOffset? SubmittedAfter { get; init; }

    public DateTimeOffset? SubmittedBefore { get; init; }

    public DateTimeOffset? FinishedAfter { get; init; }

    public DateTimeOffset? FinishedBefore { get; init; }

    public string? PayloadPrefix { get; init; }

    /// <summary>Tasks per page, 1 to 1,000 (100 when left out).</summary>
    public int? Limit { get; init; }

    /// <summary>The previous page's <c>next</c>.</summary>
    public string? Cursor { get; init; }

    /// <summary>The filter, or why it cannot be one.</summary>
    public TaskListFilter? ToFilter(out string? problem)
    {
        TaskState? state = null;
        if (State is { } text)
        {
            if (!Enum.TryParse<TaskState>(text, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                problem = $"state must be one of {string.Join(", ", Enum.GetNames<TaskState>())}";
                return null;
            }

            state = parsed;
        }

        var filter = new TaskListFilter
        {
            State = state,
            Priority = Priority,
            Worker = string.IsNullOrEmpty(Worker) ? null : Worker,
            SubmittedAfter = SubmittedAfter,
            SubmittedBefore = SubmittedBefore,
            FinishedAfter = FinishedAfter,
            FinishedBefore = FinishedBefore,
            PayloadPrefix = string.IsNullOrEmpty(PayloadPrefix) ? null : PayloadPrefix,
            Limit = Limit ?? 100,
            Cursor = string.IsNullOrEmpty(Cursor) ? null : Cursor,
        };
        problem = filter.Problem();
        return problem is null ? filter : null;
    }
}
