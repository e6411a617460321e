using System.Threading.Channels;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Health;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Status;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The HTTP API: submit (a task or a graph), task status, result and history, cancel, workers, health.</summary>
public static class TaskEndpoints
{
    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthEndpoints();

        var api = app.MapGroup("/api");
        var reads = RequiredRole.On(api.MapGroup(""), ApiRole.Read);
        RequiredRole.On(api.MapPost("/tasks", SubmitAsync), ApiRole.Submit)
            .WithName("submitTask")
            .WithSummary("Submit a task, or a graph of tasks as a JSON array")
            .Accepts<SubmitTask>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        reads.MapGet("/tasks/{id:guid}", (Guid id, TaskStatusQuery query) =>
                query.Find(id) is { } task ? Results.Json(task, WireJson.Default.TaskStatusView) : ApiProblem.NotFound(id))
            .WithName("getTask")
            .WithSummary("A task's state, times, attempts, error, result and why it waits")
            .Produces<TaskStatusView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        reads.MapGet("/tasks/{id:guid}/result", (Guid id, TaskStatusQuery query) => ResultText(query.Find(id), id))
            .WithName("getTaskResult")
            .WithSummary("A Completed task's result, as text")
            .Produces<string>(contentType: "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        reads.MapGet("/tasks/{id:guid}/history", (Guid id, TaskStatusQuery query) =>
                query.History(id) is { } history
                    ? Results.Json(history.ToArray(), WireJson.Default.TaskHistoryEntryArray)
                    : ApiProblem.NotFound(id))
            .WithName("getTaskHistory")
            .WithSummary("Every journaled step of a task's life, oldest first")
            .Produces<TaskHistoryEntry[]>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        RequiredRole.On(api.MapPost("/tasks/{id:guid}/cancel", CancelEndpoint.CancelAsync), ApiRole.Operate)
            .WithName("cancelTask")
            .WithSummary("Cancel a pending or running task, optionally with {\"reason\": \"...\"}")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        reads.MapGet("/workers", (PublishedView state) => Results.Json(state.View.Workers.ToArray(), WireJson.Default.WorkerViewArray))
            .WithName("listWorkers")
            .WithSummary("Live workers with their load and last heartbeat")
            .Produces<WorkerView[]>();
        reads.MapGet("/stats", (PublishedView state) =>
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
                restore = view.Restore is { } restore ? new { loaded = restore.Loaded, total = restore.Total } : null,
                journal = new
                {
                    turnsCommitted = state.TurnsCommitted,
                    meanCommitMs = Math.Round(state.MeanCommitMilliseconds, 3),
                    meanTurnInputs = Math.Round(state.MeanTurnInputs, 1),
                    // Deprecated names of the two above, from before the loop's unit was called a turn.
                    groupsCommitted = state.TurnsCommitted,
                    meanGroupSize = Math.Round(state.MeanTurnInputs, 1),
                    flushes = state.Flushes,
                    meanFlushMs = Math.Round(state.MeanFlushMilliseconds, 3),
                },
                process = ProcessStats(),
            });
        }).WithName("getStats").WithSummary("Queue, workers, counters, journal and process figures");
        RequiredRole.On(api.MapPost("/tasks/batch", BatchEndpoint.SubmitAsync), ApiRole.Submit)
            .WithName("submitTaskBatch")
            .WithSummary("Submit many independent tasks, {\"tasks\": [...]}, each accepted or refused on its own; answers every task's outcome in order")
            .Accepts<SubmitTasks>("application/json")
            .Produces<SubmitTasksReply>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        app.MapTaskListEndpoints();
        app.MapTaskActionEndpoints();
        return app;
    }

    /// <summary>
    /// A Completed task's result as it was returned, as UTF-8 text rather than a JSON string: a large result is fetched
    /// without escaping, and <c>curl</c> prints it as it is. 409 while there is none (yet).
    /// </summary>
    private static IResult ResultText(TaskStatusView? task, Guid id) => task switch
    {
        null => ApiProblem.NotFound(id),
        { State: not TaskState.Completed } => ApiProblem.Create(StatusCodes.Status409Conflict, $"task {id} is {task.State}: only a Completed task has a result", id,
            new Dictionary<string, object?> { ["state"] = task.State.ToString() }),
        { Result: null } => ApiProblem.Create(StatusCodes.Status409Conflict, $"task {id} completed without a result", id,
            new Dictionary<string, object?> { ["state"] = task.State.ToString() }),
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
            // What the GC holds from the OS, live objects or not: the part of the working set the GC mode decides.
            gcCommittedBytes = GC.GetGCMemoryInfo().TotalCommittedBytes,
        };
    }

    /// <summary>
    /// Accepts the same JSON as the submit exchange, a task or a graph (an array of tasks), read once by the same
    /// parser; a single task's id may be left out and is then generated. Answers once journaled: 202 for new work,
    /// 200 for a harmless resubmission, 400 for invalid input (a cycle, an unknown or expired dependency), 409 for an
    /// id taken by other content. A refused body counts as refused, as on the broker path.
    /// </summary>
    private static async Task<IResult> SubmitAsync(
        HttpRequest request, Channel<SchedulerInput> inputs, PublishedView state, JournalStatus journal, CancellationToken ct)
    {
        var (body, refused) = await SubmissionBody.ReadAsync(request, inputs, state, journal, ct);
        if (refused is not null)
        {
            return refused;
        }

        if (!SubmissionParser.TryParseMessage(
                body, out var task, out var graph, out var rejection, idWhenMissing: Guid.NewGuid()))
        {
            var error = BoundedText.Truncate(rejection!.Reason, Limits.MaxReasonChars);
            return await SubmissionBody.RefuseAsync(inputs, error, ApiProblem.BadRequest(error, rejection.Id), ct);
        }

        return graph is not null ? await SubmitGraphAsync(graph, inputs, ct) : await SubmitTaskAsync(task!, request, inputs, ct);
    }

    private static async Task<IResult> SubmitTaskAsync(ParsedSubmission parsed, HttpRequest request, Channel<SchedulerInput> inputs, CancellationToken ct)
    {
        var (answered, verdict) = await LoopReply.AskAsync<SubmitVerdict>(
            inputs.Writer, reply => new HttpSubmission(parsed, reply) { Producer = CallerTrace.From(request) }, ct);
        if (!answered)
        {
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "the scheduler did not journal the task in time; retry with the same id", parsed.Id);
        }

        var location = $"/api/tasks/{parsed.Id}";
        return verdict.Outcome switch
        {
            SubmitOutcome.Accepted => Results.Accepted(location, new { id = parsed.Id, state = "accepted" }),
            SubmitOutcome.Duplicate => Results.Ok(new { id = parsed.Id, state = "duplicate" }),
            SubmitOutcome.Invalid => ApiProblem.BadRequest(verdict.Reason ?? "invalid", parsed.Id),
            _ => ApiProblem.Conflict(verdict.Reason ?? "conflict", parsed.Id),
        };
    }

    /// <summary>A graph: every task needs its id, since the tasks name each other.</summary>
    private static async Task<IResult> SubmitGraphAsync(IReadOnlyList<ParsedSubmission> graph, Channel<SchedulerInput> inputs, CancellationToken ct)
    {
        var ids = graph.Select(t => t.Id).ToArray();
        var (answered, verdict) = await LoopReply.AskAsync<SubmitVerdict>(inputs.Writer, reply => new HttpGraphSubmission(graph, reply), ct);
        if (!answered)
        {
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "the scheduler did not journal the graph in time; retry it as it is", null,
                new Dictionary<string, object?> { ["ids"] = ids.Take(Limits.MaxNamedIds).ToArray(), ["count"] = ids.Length });
        }

        // A refusal names a few of the graph's ids and counts them: the caller has them all.
        var named = ids.Take(Limits.MaxNamedIds).ToArray();
        var error = BoundedText.TruncateOrNull(verdict.Reason, Limits.MaxReasonChars);
        return verdict.Outcome switch
        {
            SubmitOutcome.Accepted => Results.Json(new { ids, state = "accepted" }, statusCode: StatusCodes.Status202Accepted),
            SubmitOutcome.Duplicate => Results.Ok(new { ids, state = "duplicate" }),
            SubmitOutcome.Invalid => ApiProblem.Create(StatusCodes.Status400BadRequest, error ?? "invalid", null, new Dictionary<string, object?> { ["ids"] = named, ["count"] = ids.Length }),
            _ => ApiProblem.Create(StatusCodes.Status409Conflict, error ?? "conflict", null, new Dictionary<string, object?> { ["ids"] = named, ["count"] = ids.Length }),
        };
    }
}
