using System.Threading.Channels;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Status;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// <c>GET /api/tasks</c>: the task list, newest first, by filters and a cursor, from the journal's indexes; and
/// <c>POST /api/tasks/retry</c>: every Failed or Cancelled task the same filters select, back to the queue.
/// </summary>
public static class TaskListEndpoints
{
    /// <summary>The most tasks one bulk retry sends back; a larger set answers with a cursor for the rest.</summary>
    public const int MaxRetriedAtOnce = 5_000;

    public static IEndpointRouteBuilder MapTaskListEndpoints(this IEndpointRouteBuilder app)
    {
        RequiredRole.On(app.MapGet("/api/tasks", List), ApiRole.Read)
            .WithName("listTasks")
            .WithSummary("Tasks newest first, by state, priority, worker, submitted or finished time range and payload prefix; next pages by cursor")
            .Produces<TaskPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        RequiredRole.On(app.MapPost("/api/tasks/retry", RetryAsync), ApiRole.Operate)
            .WithName("retryTasks")
            .WithSummary("Retry every Failed or Cancelled task the filters select (state must be Failed or Cancelled); answers how many")
            .Produces<RetryManyResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static IResult List([AsParameters] TaskListParameters parameters, TaskListQuery tasks)
    {
        if (parameters.ToFilter(out var problem) is not { } filter)
        {
            return ApiProblem.BadRequest(problem!);
        }

        try
        {
            return Results.Json(tasks.List(filter), WireJson.Default.TaskPage);
        }
        catch (FormatException e)
        {
            return ApiProblem.BadRequest(e.Message);
        }
    }

    private static async Task<IResult> RetryAsync(
        [AsParameters] TaskListParameters parameters, TaskActionBody? body, HttpContext context, TaskListQuery tasks,
        Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct)
    {
        if (parameters.ToFilter(out var problem) is not { } filter)
        {
            return ApiProblem.BadRequest(problem!);
        }

        if (filter.State is not (TaskState.Failed or TaskState.Cancelled))
        {
            return ApiProblem.BadRequest("state must be Failed or Cancelled: only those tasks can be retried");
        }

        if (!state.Ready)
        {
            return ApiProblem.Starting();
        }

        var ids = new List<Guid>();
        string? cursor = filter.Cursor;
        try
        {
            do
            {
                var page = tasks.List(filter with { Cursor = cursor, Limit = Math.Min(TaskListFilter.MaxLimit, MaxRetriedAtOnce - ids.Count) });
                ids.AddRange(page.Tasks.Select(t => t.Id));
                cursor = page.Next;
            }
            while (cursor is not null && ids.Count < MaxRetriedAtOnce);
        }
        catch (FormatException e)
        {
            return ApiProblem.BadRequest(e.Message);
        }

        var verdicts = await TaskActionEndpoints.SendAsync(inputs, TaskActionKind.Retry, ids, context, body?.Reason, 0, ct);
        if (verdicts is null)
        {
            return ApiProblem.NotInTime("the retries");
        }

        var retried = ids.Where((_, i) => verdicts[i].Outcome == TaskActionOutcome.Done).ToList();
        return Results.Json(new RetryManyResult(ids.Count, retried.Count, retried, cursor), WireJson.Default.RetryManyResult);
    }
}
