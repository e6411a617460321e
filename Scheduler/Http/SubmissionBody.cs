using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Status;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// Reads the body of a submission (a task, a graph or a batch), no larger than the broker path takes, once the
/// scheduler can take it: 503 while it starts or its journal cannot write, 413 for a body too large (counted as
/// refused in the loop, as on the broker path).
/// </summary>
internal static class SubmissionBody
{
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Refusal)> ReadAsync(
        HttpRequest request, Channel<SchedulerInput> inputs, PublishedView state, JournalStatus journal, CancellationToken ct)
    {
        if (!state.Ready)
        {
            return (default, ApiProblem.Starting());
        }

        if (journal.Refusal is { } refusal)
        {
            return (default, ApiProblem.JournalCannotWrite(refusal));
        }

        // No more than the broker path takes (Kestrel alone would read 30 MB).
        if (request.ContentLength > SubmissionParser.MaxBodyBytes)
        {
            return (default, await RefuseAsync(inputs, "too large", TooLarge(request.ContentLength.Value), ct));
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = SubmissionParser.MaxBodyBytes;
        }

        var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, await RefuseAsync(inputs, "too large", TooLarge(null), ct));
        }

        return (body.GetBuffer().AsMemory(0, (int)body.Length), null);
    }

    /// <summary>Counts a refused submission in the loop (as the broker path does) and answers with <paramref name="answer"/>.</summary>
    public static async Task<IResult> RefuseAsync(Channel<SchedulerInput> inputs, string reason, IResult answer, CancellationToken ct)
    {
        await inputs.Writer.WriteAsync(new RefusedHttpSubmission(reason), ct);
        return answer;
    }

    private static IResult TooLarge(long? bytes) => ApiProblem.Create(
        StatusCodes.Status413PayloadTooLarge,
        bytes is { } b
            ? $"the body is {b} bytes; a submission is at most {SubmissionParser.MaxBodyBytes} bytes"
            : $"the body is larger than a submission may be ({SubmissionParser.MaxBodyBytes} bytes)");
}
