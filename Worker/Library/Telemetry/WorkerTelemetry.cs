using System.Diagnostics;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;

namespace TaskScheduler.Worker.Telemetry;

/// <summary>The worker's spans and log scopes: one <c>task.execute</c> span and one scope per attempt it runs.</summary>
internal static class WorkerTelemetry
{
    public static readonly ActivitySource Source = new(TelemetryNames.Worker);

    /// <summary>Starts the span of running one attempt, under the scheduler's assignment span when the order carried it.</summary>
    public static Activity? StartExecution(AssignTask order, string workerId, ActivityContext? parent)
    {
        var activity = Source.StartActivity("task.execute", ActivityKind.Consumer, parent ?? default);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(TelemetryNames.TaskId, order.TaskId.ToString());
        activity.SetTag(TelemetryNames.TaskAttempt, order.Attempt);
        activity.SetTag(TelemetryNames.TaskPriority, order.Priority);
        activity.SetTag(TelemetryNames.WorkerId, workerId);
        return activity;
    }

    /// <summary>The state of a log scope naming the task, the attempt and this worker, for every line logged while it runs.</summary>
    public static Dictionary<string, object?> Scope(AssignTask order, string workerId) => new()
    {
        ["TaskId"] = order.TaskId,
        ["Attempt"] = order.Attempt,
        ["WorkerId"] = workerId,
    };
}
