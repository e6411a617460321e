using Microsoft.AspNetCore.Mvc;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The query string of <c>GET /api/tasks</c> and <c>POST /api/tasks/retry</c>: the filters of <see cref="TaskListFilter"/>.</summary>
public sealed class TaskListParameters
{
    /// <summary>Pending, Running, Completed, Failed or Cancelled (any case).</summary>
    [FromQuery(Name = "state")]
    public string? State { get; init; }

    [FromQuery(Name = "priority")]
    public int? Priority { get; init; }

    [FromQuery(Name = "worker")]
    public string? Worker { get; init; }

    [FromQuery(Name = "submittedAfter")]
    public DateTimeOffset? SubmittedAfter { get; init; }

    [FromQuery(Name = "submittedBefore")]
    public DateTimeOffset? SubmittedBefore { get; init; }

    [FromQuery(Name = "finishedAfter")]
    public DateTimeOffset? FinishedAfter { get; init; }

    [FromQuery(Name = "finishedBefore")]
    public DateTimeOffset? FinishedBefore { get; init; }

    [FromQuery(Name = "payloadPrefix")]
    public string? PayloadPrefix { get; init; }

    /// <summary>Tasks per page, 1 to 1,000 (100 when left out).</summary>
    [FromQuery(Name = "limit")]
    public int? Limit { get; init; }

    /// <summary>The previous page's <c>next</c>.</summary>
    [FromQuery(Name = "cursor")]
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
