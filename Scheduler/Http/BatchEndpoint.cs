using System.Threading.Channels;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Status;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// <c>POST /api/tasks/batch</c>: many independent tasks, <c>{"tasks":[…]}</c>, read by the broker path's parser and
/// journaled in one commit. Answers 200 once journaled with every task's outcome in order (accepted, duplicate, or
/// refused with the reason), whatever some of them were; 400 when the body cannot be a batch (malformed, no tasks,
/// more than <c>Scheduler:MaxBatchTasks</c>), 413 when it is too large. A task may leave out its id: one is
/// generated and given in the answer.
/// </summary>
internal static class BatchEndpoint
{
    public static async Task<IResult> SubmitAsync(
        HttpRequest request, Channel<SchedulerInput> inputs, PublishedView state, JournalStatus journal, BatchLimits limits, CancellationToken ct)
    {
        var (body, refused) = await SubmissionBody.ReadAsync(request, inputs, state, journal, ct);
        if (refused is not null)
        {
            return refused;
        }

        if (!BatchParser.TryParse(body, limits.MaxTasks, out var entries, out var rejection, generateIds: true))
        {
            var error = BoundedText.Truncate(rejection!.Reason, Limits.MaxReasonChars);
            return await SubmissionBody.RefuseAsync(inputs, error, ApiProblem.BadRequest(error, null), ct);
        }

        var (answered, reply) = await LoopReply.AskAsync<SubmitTasksReply>(inputs.Writer, r => new HttpBatchSubmission(entries!, r), ct);
        return answered
            ? Results.Json(reply, WireJson.Default.SubmitTasksReply)
            : ApiProblem.Create(StatusCodes.Status503ServiceUnavailable,
                "the scheduler did not journal the batch in time; send it again as it is (tasks with ids are not submitted twice)", null,
                new Dictionary<string, object?> { ["count"] = entries!.Count });
    }
}
