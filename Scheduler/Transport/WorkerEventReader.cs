using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>Turns a message from <c>worker.{id}.{kind}</c> into its contract type, or says why it cannot.</summary>
internal static class WorkerEventReader
{
    public static IWorkerEvent Read(string routingKey, ReadOnlySpan<byte> body)
    {
        var parts = routingKey.Split('.');
        if (parts.Length != 3 || parts[0] != "worker")
        {
            throw new FormatException($"routing key '{routingKey}' is not worker.{{id}}.{{kind}}");
        }

        IWorkerEvent? message = parts[2] switch
        {
            Topology.WorkerEvents.Heartbeat => JsonSerializer.Deserialize(body, WireJson.Default.WorkerHeartbeat),
            Topology.WorkerEvents.Results => JsonSerializer.Deserialize(body, WireJson.Default.TasksFinished),
            Topology.WorkerEvents.Joined => JsonSerializer.Deserialize(body, WireJson.Default.WorkerJoined),
            Topology.WorkerEvents.Left => JsonSerializer.Deserialize(body, WireJson.Default.WorkerLeft),
            Topology.WorkerEvents.Preempted => JsonSerializer.Deserialize(body, WireJson.Default.TaskPreempted),
            Topology.WorkerEvents.Checkpoint => JsonSerializer.Deserialize(body, WireJson.Default.TaskCheckpointed),
            _ => throw new FormatException($"unknown worker event kind '{parts[2]}'"),
        };

        // The contracts are records without required-ness on the wire: check what the core relies on.
        var sender = message switch
        {
            WorkerHeartbeat m when m.Running is not null && m.Running.Count <= Limits.MaxHeartbeatAttempts && m.Running.All(r => r is not null) => m.WorkerId,
            TasksFinished m when m.Results is { Count: > 0 }
                && m.Results.All(r => r is not null && Enum.IsDefined(r.Outcome) && r.Attempt >= 1 && r.WorkerId == m.WorkerId)
                => m.WorkerId,
            WorkerJoined m => m.WorkerId,
            WorkerLeft m when m.HandedBack is not null && m.HandedBack.All(r => r is not null) => m.WorkerId,
            TaskPreempted m when m.Attempt >= 1 => m.WorkerId,
            TaskCheckpointed m when m.Checkpoint is not null && m.Attempt >= 1 => m.WorkerId,
            null => throw new FormatException("empty message"),
            _ => throw new FormatException($"incomplete {parts[2]} message"),
        };

        // A message must come from the worker its routing key names; anything else is forged or confused.
        if (!string.Equals(sender, parts[1], StringComparison.Ordinal))
        {
            throw new FormatException($"message from worker '{sender}' published as '{routingKey}'");
        }

        // An error text is cut where it enters: a 9 MiB text must not travel through the loop into the journal.
        return message switch
        {
            TasksFinished m => m with { Results = [.. m.Results.Select(Bound)] },
            _ => message,
        };
    }

    private static TaskFinished Bound(TaskFinished result) =>
        result.Error is { Length: > Limits.MaxErrorChars } error ? result with { Error = BoundedText.Truncate(error, Limits.MaxErrorChars) } : result;
}
