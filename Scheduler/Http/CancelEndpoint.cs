using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// <c>POST /api/tasks/{id}/cancel</c>, optionally with <c>{"reason": "…"}</c>. A POST to an action rather than a
/// DELETE: the task is not removed, it stays queryable with its history, in state Cancelled.
/// </summary>
public static class CancelEndpoint
{
    public static async Task<IResult> CancelAsync(
        Guid id, HttpRequest request, Channel<SchedulerInput> inputs, PublishedView state, JournalStatus journal, CancellationToken ct)
    {
        if (!state.Ready)
        {
            return ApiProblem.Starting();
        }

        if (journal.Refusal is { } refusal)
        {
            return ApiProblem.JournalCannotWrite(refusal, id);
        }

        string? reason = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            // No more than the cancel exchange takes (Kestrel alone would read 30 MB).
            if (request.ContentLength > CancelRequestParser.MaxBodyBytes)
            {
                return TooLarge(id);
            }

            if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = CancelRequestParser.MaxBodyBytes;
            }

            try
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                if (body.RootElement.ValueKind == JsonValueKind.Object
                    && body.RootElement.TryGetProperty("reason", out var given) && given.ValueKind == JsonValueKind.String)
                {
                    reason = CancelRequestParser.Shorten(given.GetString());
                }
            }
            catch (JsonException e)
            {
                return ApiProblem.BadRequest($"malformed JSON: {e.Message}", id);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge(id);
            }
        }

        // The reason (the task's error and history) names the key that asked, when keys are configured.
        var who = ApiCaller.Of(request.HttpContext);
        var named = who == ApiCaller.Anonymous ? reason : reason is null ? $"by {who.Name}" : $"{reason} (by {who.Name})";
        var (answered, outcome) = await LoopReply.AskAsync<CancelOutcome>(inputs.Writer, reply => new HttpCancel(id, named, reply), ct);
        if (!answered)
        {
            return ApiProblem.NotInTime("the cancellation", id);
        }

        return outcome switch
        {
            CancelOutcome.Cancelled => Results.Ok(new { id, state = "cancelled" }),
            CancelOutcome.AlreadyCancelled => Results.Ok(new { id, state = "cancelled", note = "it was cancelled before" }),
            CancelOutcome.AlreadyFinished => ApiProblem.Conflict("the task has already finished; it cannot be cancelled", id),
            _ => ApiProblem.NotFound(id),
        };
    }

    private static IResult TooLarge(Guid id) => ApiProblem.Create(
        StatusCodes.Status413PayloadTooLarge, $"the body is larger than a cancel request may be ({CancelRequestParser.MaxBodyBytes} bytes)", id);
}
