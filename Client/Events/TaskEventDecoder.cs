using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Client.Events;

/// <summary>
/// Reads task events off the events exchange: the routing key <c>task.{id}.{kind}</c> says whose and what, the body
/// says the rest. The one place that knows the format; the client, the <c>tasks</c> CLI and the tests go through it.
/// </summary>
public static class TaskEventDecoder
{
    /// <summary>
    /// Reads a routing key without touching the body, so that a subscriber can skip other tasks' events cheaply.
    /// False for anything that is not a task event.
    /// </summary>
    public static bool TryReadKey(string routingKey, out Guid taskId, out TaskEventKind kind)
    {
        taskId = Guid.Empty;
        kind = default;
        var firstDot = routingKey.IndexOf('.', StringComparison.Ordinal);
        var lastDot = routingKey.LastIndexOf('.');
        return firstDot == 4
            && lastDot > firstDot
            && routingKey.StartsWith("task.", StringComparison.Ordinal)
            && Guid.TryParseExact(routingKey.AsSpan(firstDot + 1, lastDot - firstDot - 1), "D", out taskId)
            && TryParseKind(routingKey.AsSpan(lastDot + 1), out kind);
    }

    /// <summary>Decodes one event; false when the key is not a task event's or the body cannot be read.</summary>
    public static bool TryDecode(string routingKey, ReadOnlySpan<byte> body, out TaskEvent? taskEvent)
    {
        taskEvent = null;
        if (!TryReadKey(routingKey, out var id, out var kind))
        {
            return false;
        }

        try
        {
            if (kind == TaskEventKind.Rejected)
            {
                var rejected = JsonSerializer.Deserialize(body, WireJson.Default.TaskRejected);
                taskEvent = rejected is null ? null : new TaskEvent(id, kind, rejected.At) { Error = rejected.Reason };
                return taskEvent is not null;
            }

            var change = JsonSerializer.Deserialize(body, WireJson.Default.TaskStateChanged);
            taskEvent = change is null ? null : FromChange(id, kind, change);
            return taskEvent is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The event a state change announces (the task id from the routing key, which the body repeats).</summary>
    internal static TaskEvent FromChange(Guid taskId, TaskEventKind kind, TaskStateChanged change) => new(taskId, kind, change.At)
    {
        State = change.State,
        Priority = change.Priority,
        Attempt = change.Attempt,
        WorkerId = change.WorkerId,
        Error = change.Error,
        Note = change.Note,
        StartedAt = change.StartedAt,
        FinishedAt = change.FinishedAt,
        Result = change.Result,
        ResultBytes = change.ResultBytes,
    };

    /// <summary>The routing key pattern for one task's events, or every task's events of one kind.</summary>
    public static string Key(Guid? taskId, TaskEventKind? kind) =>
        $"task.{(taskId is { } id ? id.ToString("D") : "*")}.{(kind is { } k ? WireName(k) : "*")}";

    public static string WireName(TaskEventKind kind) => kind switch
    {
        TaskEventKind.Pending => "pending",
        TaskEventKind.Running => "running",
        TaskEventKind.Completed => "completed",
        TaskEventKind.Failed => "failed",
        TaskEventKind.Cancelled => "cancelled",
        TaskEventKind.Rejected => Topology.RejectedKind,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The kind of event that announces a task entering <paramref name="state"/>.</summary>
    public static TaskEventKind KindOf(TaskState state) => state switch
    {
        TaskState.Pending => TaskEventKind.Pending,
        TaskState.Running => TaskEventKind.Running,
        TaskState.Completed => TaskEventKind.Completed,
        TaskState.Failed => TaskEventKind.Failed,
        TaskState.Cancelled => TaskEventKind.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static bool TryParseKind(ReadOnlySpan<char> text, out TaskEventKind kind)
    {
        switch (text)
        {
            case "pending": kind = TaskEventKind.Pending; return true;
            case "running": kind = TaskEventKind.Running; return true;
            case "completed": kind = TaskEventKind.Completed; return true;
            case "failed": kind = TaskEventKind.Failed; return true;
            case "cancelled": kind = TaskEventKind.Cancelled; return true;
            case Topology.RejectedKind: kind = TaskEventKind.Rejected; return true;
            default: kind = default; return false;
        }
    }
}
