using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>Turns a <c>submit-batch</c> message into the loop's input: its tasks, or the refusal of the whole batch.</summary>
internal static class BatchSubmissionReader
{
    public static BrokerBatchSubmission Read(
        ulong tag, byte[] body, IDictionary<string, object?>? headers, int maxTasks, TaskCompletionSource<Contracts.Messages.SubmitTasksReply>? reply)
    {
        IReadOnlyList<BatchEntry>? entries;
        InputRejection? rejection;
        try
        {
            _ = BatchParser.TryParse(body, maxTasks, out entries, out rejection);
        }
#pragma warning disable CA1031 // Whatever a producer sends must end as a rejection, never as a stuck message.
        catch (Exception e)
#pragma warning restore CA1031
        {
            entries = null;
            rejection = new InputRejection(null, $"unreadable batch: {e.Message}");
        }

        return new BrokerBatchSubmission(tag, entries, rejection, body, headers, reply);
    }
}
