using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

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
        api.MapGet("", (PublishedView state) => Results.Json(state.Schedules.ToArray(), WireJson.Default.ScheduleViewArray))
            .WithName("listSchedules");
        api.MapGet("/{name}", (string name, PublishedView state) =>
            state.Schedules.FirstOrDefault(s => s.Name == name) is { } schedule
                ? Results.Json(schedule, WireJson.Default.ScheduleView)
                : NotFound(name))
            .WithName("getSchedule");
        RequiredRole.On(api.MapPost("", PutAsync), ApiRole.Submit).WithName("putSchedule");
        api.MapPost("/{name}/pause", (string name, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct) =>
            SendAsync(name, ScheduleAction.Pause, null, inputs, state, ct))
            .WithName("pauseSchedule");
        api.MapPost("/{name}/resume", (string name, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct) =>
            SendAsync(name, ScheduleAction.Resume, null, inputs, state, ct))
            .WithName("resumeSchedule");
        api.MapDelete("/{name}", (string name, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct) =>
            SendAsync(name, ScheduleAction.Remove, null, inputs, state, ct))
            .WithName("deleteSchedule");
        return app;
    }

    private static async Task<IResult> PutAsync(HttpRequest request, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, $"a schedule is at most {MaxBodyBytes} bytes");
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct) as JsonObject;
        }
        catch (JsonException e)
        {
            return ApiProblem.BadRequest(BoundedText.Truncate($"malformed JSON: {e.Message}", Limits.MaxReasonChars));
        }

        if (body is null)
        {
            return ApiProblem.BadRequest("a schedule is a JSON object with name, cron and the task's fields");
        }

        if (!ScheduleRequestParser.TryParse(body, out var definition, out var problem))
        {
            return ApiProblem.BadRequest(BoundedText.Truncate(problem!, Limits.MaxReasonChars));
        }

        return await SendAsync(definition!.Name, ScheduleAction.Put, definition, inputs, state, ct);
    }

    private static async Task<IResult> SendAsync(
        string name, ScheduleAction action, ScheduleDefinition? definition, Channel<SchedulerInput> inputs, PublishedView state, CancellationToken ct)
    {
        if (!state.Ready)
        {
            return ApiProblem.Starting();
        }

        var (answered, outcome) = await LoopReply.AskAsync<string?>(
            inputs.Writer, reply => new ScheduleRequest(name, action, reply) { Definition = definition }, ct);
        if (!answered)
        {
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "the scheduler did not journal the change in time; send it again", null,
                new Dictionary<string, object?> { ["name"] = name });
        }

        return outcome switch
        {
            null => NotFound(name),
            "created" => Results.Created($"/api/schedules/{name}", new { name, state = outcome }),
            _ => Results.Ok(new { name, state = outcome }),
        };
    }

    private static IResult NotFound(string name) => ApiProblem.Create(StatusCodes.Status404NotFound, $"no schedule named '{BoundedText.Truncate(name, 64)}'");
}
