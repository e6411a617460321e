using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Sent every heartbeat interval. Self-describing, so a scheduler that restarted learns the worker from it, and
/// listing what the worker runs, so the scheduler can reconcile its own view.
/// </summary>
public sealed record WorkerHeartbeat(
    string WorkerId,
    int Capacity,
    IReadOnlyList<RunningTask> Running,
    bool Draining,
    DateTimeOffset At) : IWorkerEvent
{
    /// <summary>The worker's tags, repeated so a scheduler that restarted learns its pool from a heartbeat.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>The highest scheduler term the worker has seen (<see cref="AssignTask.Term"/>); 0, and left out, before any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Term { get; init; }

    /// <summary>How many orders of an older term the worker has refused since it started; left out while none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long RefusedOrders { get; init; }
}
