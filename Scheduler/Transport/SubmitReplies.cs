using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// Answers a batch submission whose producer named a <c>reply_to</c> queue (AMQP request/reply; RabbitMQ's direct
/// reply-to works too): once the loop has made the batch durable, every task's outcome goes to that queue with the
/// message's <c>correlation_id</c>. A reply is a notice, like a task event: it is sent once, not persistent, and a
/// lost one changes nothing (the tasks' states and <c>task.{id}.rejected</c> events say the same).
/// </summary>
internal sealed class SubmitReplies(Func<IChannel> channel, ILogger logger)
{
    /// <summary>AMQP <c>type</c> of a reply.</summary>
    public const string ReplyType = "submit-batch-reply";

    /// <summary>The answer to complete for this message, or null when its producer wants none.</summary>
    public TaskCompletionSource<SubmitTasksReply>? For(IReadOnlyBasicProperties properties)
    {
        if (string.IsNullOrEmpty(properties.ReplyTo))
        {
            return null;
        }

        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = SendAsync(reply.Task, properties.ReplyTo, properties.CorrelationId);
        return reply;
    }

    private async Task SendAsync(Task<SubmitTasksReply> answer, string replyTo, string? correlationId)
    {
        var reply = await answer;
        var properties = new BasicProperties { ContentType = "application/json", Type = ReplyType, CorrelationId = correlationId };
        try
        {
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(reply, WireJson.Default.SubmitTasksReply);
            await channel().BasicPublishAsync("", replyTo, false, properties, body);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not reply to a batch submission on {ReplyTo}: {Error}", replyTo, e.Message);
        }
    }
}
