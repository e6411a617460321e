using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Health;
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
    /// Accepts the same JSON as the submit exchange, a task or a graph (an array of tasks); a single task's id may be
    /// left out and is then generated. Answers once journaled: 202 for new work, 200 for a harmless resubmission,
    /// 400 for invalid input (a cycle, an unknown or expired dependency), 409 for an id taken by other content.
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
            return TooLarge(request.ContentLength.Value);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = SubmissionParser.MaxBodyBytes;
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return Results.BadRequest(new { error = BoundedText.Truncate($"malformed JSON: {e.Message}", Limits.MaxReasonChars) });
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(null);
        }

        if (node is JsonObject obj && !obj.Any(p => p.Key.Equals("id", StringComparison.OrdinalIgnoreCase)))
        {
            obj["id"] = Guid.NewGuid().ToString();
        }

        using var document = JsonSerializer.SerializeToDocument(node);
        if (document.RootElement.ValueKind == JsonValueKind.Array)
        {
            return await SubmitGraphAsync(document.RootElement, inputs, ct);
        }

        if (!SubmissionParser.TryRead(document.RootElement, out var parsed, out var rejection))
        {
            return Results.BadRequest(new { id = rejection!.Id, error = rejection.Reason });
        }

        var reply = new TaskCompletionSource<SubmitVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        await inputs.Writer.WriteAsync(new HttpSubmission(parsed!, reply) { Producer = CallerTrace.From(request) }, ct);
        SubmitVerdict verdict;
        try
        {
            verdict = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        catch (TimeoutException)
        {
            return Results.Json(new { id = parsed!.Id, error = "the scheduler did not journal the task in time; retry with the same id" }, statusCode: 503);
        }

        var location = $"/api/tasks/{parsed!.Id}";
        return verdict.Outcome switch
        {
            SubmitOutcome.Accepted => Results.Accepted(location, new { id = parsed.Id, state = "accepted" }),
            SubmitOutcome.Duplicate => Results.Ok(new { id = parsed.Id, state = "duplicate" }),
            SubmitOutcome.Invalid => Results.BadRequest(new { id = parsed.Id, error = verdict.Reason }),
            _ => Results.Conflict(new { id = parsed.Id, error = verdict.Reason }),
        };
    }

    /// <summary>A graph: every task needs its id, since the tasks name each other.</summary>
    private static async Task<IResult> SubmitGraphAsync(JsonElement root, Channel<SchedulerInput> inputs, CancellationToken ct)
    {
        if (!SubmissionParser.TryReadGraph(root, out var graph, out var rejection))
        {
            return Results.BadRequest(new { id = rejection!.Id, error = rejection.Reason });
        }

        var reply = new TaskCompletionSource<SubmitVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        await inputs.Writer.WriteAsync(new HttpGraphSubmission(graph!, reply), ct);
        var ids = graph!.Select(t => t.Id).ToArray();
        SubmitVerdict verdict;
        try
        {
            verdict = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        catch (TimeoutException)
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

    private static IResult TooLarge(long? bytes) => Results.Json(
        new
        {
            error = bytes is { } b
                ? $"the body is {b} bytes; a submission is at most {SubmissionParser.MaxBodyBytes} bytes"
                : $"the body is larger than a submission may be ({SubmissionParser.MaxBodyBytes} bytes)",
        },
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
