using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// Recurring tasks: <c>GET /api/schedules</c>, <c>GET /api/schedules/{name}</c>, <c>POST /api/schedules</c> (create,
/// or replace the schedule of that name), <c>POST /api/schedules/{name}/pause</c> and <c>/resume</c>, and
/// <c>DELETE /api/schedules/{name}</c>. Changes go through the loop, which owns the schedules, and are answered once
/// journaled.
/// </summary>
public static class ScheduleEndpoints
{
    /// <summary>A schedule's request is a task's submission and four fields more.</summary>
    private const int MaxBodyBytes = SubmissionParser.MaxBodyBytes;

    public static IEndpointRouteBuilder MapScheduleEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/schedules");
        api.MapGet("", (SchedulerState state) => Results.Json(state.Schedules.ToArray(), WireJson.Default.ScheduleViewArray));
        api.MapGet("/{name}", (string name, SchedulerState state) =>
            state.Schedules.FirstOrDefault(s => s.Name == name) is { } schedule
                ? Results.Json(schedule, WireJson.Default.ScheduleView)
                : NotFound(name));
        api.MapPost("", PutAsync);
        api.MapPost("/{name}/pause", (string name, Channel<SchedulerInput> inputs, SchedulerState state, CancellationToken ct) =>
            SendAsync(name, ScheduleAction.Pause, null, inputs, state, ct));
        api.MapPost("/{name}/resume", (string name, Channel<SchedulerInput> inputs, SchedulerState state, CancellationToken ct) =>
            SendAsync(name, ScheduleAction.Resume, null, inputs, state, ct));
        api.MapDelete("/{name}", (string name, Channel<SchedulerInput> inputs, SchedulerState state, CancellationToken ct) =>
            SendAsync(name, ScheduleAction.Remove, null, inputs, state, ct));
        return app;
    }

    private static async Task<IResult> PutAsync(HttpRequest request, Channel<SchedulerInput> inputs, SchedulerState state, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return Results.Json(new { error = $"a schedule is at most {MaxBodyBytes} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct) as JsonObject;
        }
        catch (JsonException e)
        {
            return Results.BadRequest(new { error = BoundedText.Truncate($"malformed JSON: {e.Message}", Limits.MaxReasonChars) });
        }

        if (body is null)
        {
            return Results.BadRequest(new { error = "a schedule is a JSON object with name, cron and the task's fields" });
        }

        if (!ScheduleRequestParser.TryParse(body, out var definition, out var problem))
        {
            return Results.BadRequest(new { error = BoundedText.Truncate(problem!, Limits.MaxReasonChars) });
        }

        return await SendAsync(definition!.Name, ScheduleAction.Put, definition, inputs, state, ct);
    }

    private static async Task<IResult> SendAsync(
        string name, ScheduleAction action, ScheduleDefinition? definition, Channel<SchedulerInput> inputs, SchedulerState state, CancellationToken ct)
    {
        if (!state.Ready)
        {
            return Results.Json(new { error = "the scheduler is starting" }, statusCode: 503);
        }

        var (answered, outcome) = await LoopReply.AskAsync<string?>(
            inputs.Writer, reply => new ScheduleRequest(name, action, reply) { Definition = definition }, ct);
        if (!answered)
        {
            return Results.Json(new { name, error = "the scheduler did not journal the change in time; send it again" }, statusCode: 503);
        }

        return outcome switch
        {
            null => NotFound(name),
            "created" => Results.Created($"/api/schedules/{name}", new { name, state = outcome }),
            _ => Results.Ok(new { name, state = outcome }),
        };
    }

    private static IResult NotFound(string name) => Results.NotFound(new { error = $"no schedule named '{BoundedText.Truncate(name, 64)}'" });
}
