using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// An operator's actions on one task, each with an optional <c>reason</c> that the task's history keeps beside the
/// key's name: <c>POST /api/tasks/{id}/retry</c>, <c>PUT /api/tasks/{id}/priority</c> and <c>DELETE /api/tasks/{id}</c>
/// (a finished task; then it answers 404). Each answers once the loop has journaled it.
/// </summary>
public static class TaskActionEndpoints
{
    /// <summary>An action's body is a reason and a number: a few KiB is plenty.</summary>
    private const int MaxBodyBytes = 8 * 1024;

    public static IEndpointRouteBuilder MapTaskActionEndpoints(this IEndpointRouteBuilder app)
    {
        var operate = RequiredRole.On(app.MapGroup("/api/tasks"), ApiRole.Operate)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        operate.MapPost("/{id:guid}/retry", (Guid id, TaskActionBody? body, HttpContext context, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct) =>
                ActAsync(TaskActionKind.Retry, id, body, context, inputs, state, ct))
            .WithName("retryTask")
            .WithSummary("Retry a Failed or Cancelled task under the same id; its dependents that failed because of it wait for it again")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        operate.MapPut("/{id:guid}/priority", (Guid id, TaskActionBody body, HttpContext context, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct) =>
                body.Priority is null
                    ? Task.FromResult(ApiProblem.BadRequest("the body needs a priority: {\"priority\": 9}", id))
                    : ActAsync(TaskActionKind.ChangePriority, id, body, context, inputs, state, ct))
            .WithName("changeTaskPriority")
            .WithSummary("Change the priority of a Pending task; it takes its new place in the queue")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        operate.MapDelete("/{id:guid}", (Guid id, string? reason, HttpContext context, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct) =>
                ActAsync(TaskActionKind.Delete, id, new TaskActionBody(reason), context, inputs, state, ct))
            .WithName("deleteTask")
            .WithSummary("Delete a finished task with its payload, result and history")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>Hands an action to the loop and waits for its verdicts; null when the loop did not answer in time.</summary>
    public static async Task<IReadOnlyList<TaskActionVerdict>?> SendAsync(
        Channel<SchedulerInput> inputs, TaskActionKind kind, IReadOnlyList<Guid> ids, HttpContext context, string? reason, int priority, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var why = string.IsNullOrWhiteSpace(reason) ? null : CancelRequestParser.Shorten(reason);
        var actor = ApiCaller.Of(context).Name;
        var (answered, verdicts) = await LoopReply.AskAsync<IReadOnlyList<TaskActionVerdict>>(
            inputs.Writer, reply => new TaskActionRequest(kind, ids, actor, why, reply) { Priority = priority }, ct);
        return answered ? verdicts : null;
    }

    private static async Task<IResult> ActAsync(
        TaskActionKind kind, Guid id, TaskActionBody? body, HttpContext context, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct)
    {
        if (!state.Ready)
        {
            return ApiProblem.Starting();
        }

        var verdicts = await SendAsync(inputs, kind, [id], context, body?.Reason, body?.Priority ?? 0, ct);
        if (verdicts is null)
        {
            return ApiProblem.NotInTime("the action", id);
        }

        var verdict = verdicts[0];
        return verdict.Outcome switch
        {
            TaskActionOutcome.Done => kind switch
            {
                TaskActionKind.Retry => Results.Ok(new { id, state = nameof(TaskState.Pending), released = verdict.Released }),
                TaskActionKind.ChangePriority => Results.Ok(new { id, priority = body!.Priority }),
                _ => Results.NoContent(),
            },
            TaskActionOutcome.NotFound => ApiProblem.NotFound(id),
            _ => ApiProblem.Conflict(verdict.Reason ?? "the task is not in a state this action applies to", id),
        };
    }
}
