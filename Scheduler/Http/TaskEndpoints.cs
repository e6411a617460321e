using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Status;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The HTTP API: submit, task status, workers, health.</summary>
public static class TaskEndpoints
{
    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (SchedulerState state) =>
            state.Ready ? Results.Ok(new { status = "ready" }) : Results.Json(new { status = "starting" }, statusCode: 503));

        var api = app.MapGroup("/api");
        api.MapPost("/tasks", SubmitAsync);
        api.MapGet("/tasks/{id:guid}", (Guid id, TaskStatusQuery query) =>
            query.Find(id) is { } task ? Results.Json(task, WireJson.Default.TaskStatusView) : Results.NotFound(new { error = $"no task {id}" }));
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
                },
            });
        });
        return app;
    }

    /// <summary>
    /// Accepts the same JSON as the submit exchange; the id may be left out and is then generated. Answers once the
    /// task is journaled: 202 for a new task, 200 for a harmless resubmission, 409 for an id taken by other content.
    /// </summary>
    private static async Task<IResult> SubmitAsync(HttpRequest request, Channel<SchedulerInput> inputs, SchedulerState state, CancellationToken ct)
    {
        if (!state.Ready)
        {
            return Results.Json(new { error = "the scheduler is starting" }, statusCode: 503);
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return Results.BadRequest(new { error = $"malformed JSON: {e.Message}" });
        }

        if (node is JsonObject obj && !obj.Any(p => p.Key.Equals("id", StringComparison.OrdinalIgnoreCase)))
        {
            obj["id"] = Guid.NewGuid().ToString();
        }

        using var document = JsonSerializer.SerializeToDocument(node);
        if (!SubmissionParser.TryRead(document.RootElement, out var parsed, out var rejection))
        {
            return Results.BadRequest(new { id = rejection!.Id, error = rejection.Reason });
        }

        var reply = new TaskCompletionSource<SubmitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await inputs.Writer.WriteAsync(new HttpSubmission(parsed!, reply) { Producer = CallerTrace.From(request) }, ct);
        SubmitOutcome outcome;
        try
        {
            outcome = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
        catch (TimeoutException)
        {
            return Results.Json(new { id = parsed!.Id, error = "the scheduler did not journal the task in time; retry with the same id" }, statusCode: 503);
        }

        var location = $"/api/tasks/{parsed!.Id}";
        return outcome switch
        {
            SubmitOutcome.Accepted => Results.Accepted(location, new { id = parsed.Id, state = "accepted" }),
            SubmitOutcome.Duplicate => Results.Ok(new { id = parsed.Id, state = "duplicate" }),
            _ => Results.Conflict(new { id = parsed.Id, error = "id already belongs to a task with other content" }),
        };
    }
}
