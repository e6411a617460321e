using MassTransit;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Status;

/// <summary>Request/response status for other services, on the queue named by Topology.StatusQueue.</summary>
public sealed class GetTaskStatusConsumer : IConsumer<GetTaskStatus>
{
    private readonly TaskStatusQuery _query;

    public GetTaskStatusConsumer(TaskStatusQuery query) => _query = query;

    public Task Consume(ConsumeContext<GetTaskStatus> context)
    {
        var task = _query.Find(context.Message.TaskId);
        return context.RespondAsync(new TaskStatusReply(context.Message.TaskId, task is not null, task));
    }
}
