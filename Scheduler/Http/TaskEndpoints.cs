using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Health;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Status;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The HTTP API: submit (a task or a graph), task status, result and history, cancel, workers, health.</summary>
public static class TaskEndpoints
{
    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthEndpoints();

        var api = app.MapGroup("/api");
        api.MapPost("/tasks", SubmitAsync);
        api.MapGet("/tasks/{id:guid}", (Guid id, TaskStatusQuery query) =>
            query.Find(id) is { } task ? Results.Json(task, WireJson.Default.TaskStatusView) : Results.NotFound(new { error = $"task {id} is unknown or expired" }));
        api.MapGet("/tasks/{id:guid}/result", (Guid id, TaskStatusQuery query) => ResultText(query.Find(id), id));
        api.MapGet("/tasks/{id:guid}/history", (Guid id, TaskStatusQuery query) =>
            query.History(id) is { } history
                ? Results.Json(history.ToArray(), WireJson.Default.TaskHistoryEntryArray)
                : Results.NotFound(new { error = $"task {id} is unknown or expired" }));
        api.MapPost("/tasks/{id:guid}/cancel", CancelEndpoint.CancelAsync);
        api.MapGet("/workers", (SchedulerState state) => Results.Json(state.View.Workers.ToArray(), WireJson.Default.WorkerViewArray));
        api.MapGet("/stats", (SchedulerState state) =>
        {
            var view = state.View;
            return Results.Ok(new
            {
                pending = view.Pending,
                running = view.Running,
                workers = view.Workers.Count,
                freeSlots = view.FreeSlots,
                pendingByPriority = view.PendingByPriority.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value),
                counters = view.Counters,
                journal = new
                {
                    groupsCommitted = state.GroupsCommitted,
                    meanCommitMs = Math.Round(state.MeanCommitMilliseconds, 3),
                    meanGroupSize = Math.Round(state.MeanGroupSize, 1),
                    flushes = state.Flushes,
                    meanFlushMs = Math.Round(state.MeanFlushMilliseconds, 3),
                },
                process = ProcessStats(),
            });
        });
        return app;
    }

    /// <summary>
    /// A Completed task's result as it was returned, as UTF-8 text rather than a JSON string: a large result is fetched
    /// without escaping, and <c>curl</c> prints it as it is. 409 while there is none (yet).
    /// </summary>
    private static IResult ResultText(TaskStatusView? task, Guid id) => task switch
    {
        null => Results.NotFound(new { error = $"task {id} is unknown or expired" }),
        { State: not TaskState.Completed } => Results.Conflict(new { id, state = task.State.ToString(), error = $"task {id} is {task.State}: only a Completed task has a result" }),
        { Result: null } => Results.Conflict(new { id, state = task.State.ToString(), error = $"task {id} completed without a result" }),
        _ => Results.Text(task.Result, "text/plain", System.Text.Encoding.UTF8),
    };

    /// <summary>The scheduler's memory, so a benchmark (or an operator) can check it holds a backlog within bounds.</summary>
    private static object ProcessStats()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new
        {
            workingSetBytes = process.WorkingSet64,
            peakWorkingSetBytes = process.PeakWorkingSet64,
            gcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
        };
    }

    /// <summary>
    /// Accepts the same JSON as the submit exchange, a task or a graph (an array of tasks), read once by the same
    /// parser; a single task's id may be left out and is then generated. Answers once journaled: 202 for new work,
    /// 200 for a harmless resubmission, 400 for invalid input (a cycle, an unknown or expired dependency), 409 for an
    /// id taken by other content. A refused body counts as refused, as on the broker path.
    /// </summary>
    private static async Task<IResult> SubmitAsync(
        HttpRequest request, Channel<SchedulerInput> inputs, SchedulerState state, JournalStatus journal, CancellationToken ct)
    {
        if (!state.Ready)
        {
            return Results.Json(new { error = "the scheduler is starting" }, statusCode: 503);
        }

        if (journal.Refusal is { } refusal)
        {
            return Results.Json(new { error = refusal }, statusCode: 503);
        }

        // No more than the broker path takes (Kestrel alone would read 30 MB).
        if (request.ContentLength > SubmissionParser.MaxBodyBytes)
        {
            return await RefuseAsync(inputs, "too large", TooLarge(request.ContentLength.Value), ct);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = SubmissionParser.MaxBodyBytes;
        }

        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return await RefuseAsync(inputs, "too large", TooLarge(null), ct);
        }

        if (!SubmissionParser.TryParseMessage(
                body.GetBuffer().AsMemory(0, (int)body.Length), out var task, out var graph, out var rejection, idWhenMissing: Guid.NewGuid()))
        {
            var error = BoundedText.Truncate(rejection!.Reason, Limits.MaxReasonChars);
            return await RefuseAsync(inputs, error, Results.BadRequest(new { id = rejection.Id, error }), ct);
        }

        return graph is not null ? await SubmitGraphAsync(graph, inputs, ct) : await SubmitTaskAsync(task!, request, inputs, ct);
    }

    private static async Task<IResult> SubmitTaskAsync(ParsedSubmission parsed, HttpRequest request, Channel<SchedulerInput> inputs, CancellationToken ct)
    {
        var (answered, verdict) = await LoopReply.AskAsync<SubmitVerdict>(
            inputs.Writer, reply => new HttpSubmission(parsed, reply) { Producer = CallerTrace.From(request) }, ct);
        if (!answered)
        {
            return Results.Json(new { id = parsed.Id, error = "the scheduler did not journal the task in time; retry with the same id" }, statusCode: 503);
        }

        var location = $"/api/tasks/{parsed.Id}";
        return verdict.Outcome switch
        {
            SubmitOutcome.Accepted => Results.Accepted(location, new { id = parsed.Id, state = "accepted" }),
            SubmitOutcome.Duplicate => Results.Ok(new { id = parsed.Id, state = "duplicate" }),
            SubmitOutcome.Invalid => Results.BadRequest(new { id = parsed.Id, error = verdict.Reason }),
            _ => Results.Conflict(new { id = parsed.Id, error = verdict.Reason }),
        };
    }

    /// <summary>A graph: every task needs its id, since the tasks name each other.</summary>
    private static async Task<IResult> SubmitGraphAsync(IReadOnlyList<ParsedSubmission> graph, Channel<SchedulerInput> inputs, CancellationToken ct)
    {
        var ids = graph.Select(t => t.Id).ToArray();
        var (answered, verdict) = await LoopReply.AskAsync<SubmitVerdict>(inputs.Writer, reply => new HttpGraphSubmission(graph, reply), ct);
        if (!answered)
        {
            return Results.Json(
                new { ids = ids.Take(Limits.MaxNamedIds).ToArray(), count = ids.Length, error = "the scheduler did not journal the graph in time; retry it as it is" },
                statusCode: 503);
        }

        // A refusal names a few of the graph's ids and counts them: the caller has them all.
        var named = ids.Take(Limits.MaxNamedIds).ToArray();
        var error = BoundedText.TruncateOrNull(verdict.Reason, Limits.MaxReasonChars);
        return verdict.Outcome switch
        {
            SubmitOutcome.Accepted => Results.Json(new { ids, state = "accepted" }, statusCode: StatusCodes.Status202Accepted),
            SubmitOutcome.Duplicate => Results.Ok(new { ids, state = "duplicate" }),
            SubmitOutcome.Invalid => Results.BadRequest(new { ids = named, count = ids.Length, error }),
            _ => Results.Conflict(new { ids = named, count = ids.Length, error }),
        };
    }

    /// <summary>Counts a refused submission in the loop (as the broker path does) and answers with <paramref name="answer"/>.</summary>
    private static async Task<IResult> RefuseAsync(Channel<SchedulerInput> inputs, string reason, IResult answer, CancellationToken ct)
    {
        await inputs.Writer.WriteAsync(new RefusedHttpSubmission(reason), ct);
        return answer;
    }

    private static IResult TooLarge(long? bytes) => Results.Json(
        new
        {
            error = bytes is { } b
                ? $"the body is {b} bytes; a submission is at most {SubmissionParser.MaxBodyBytes} bytes"
                : $"the body is larger than a submission may be ({SubmissionParser.MaxBodyBytes} bytes)",
        },
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
