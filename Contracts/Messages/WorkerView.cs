namespace TaskScheduler.Contracts.Messages;

/// <summary>One worker as the scheduler sees it.</summary>
public sealed record WorkerView(
    string Id,
    int Capacity,
    int InFlight,
    bool Draining,
    bool Confirmed,
    DateTimeOffset LastHeartbeatAt,
    long Completed,
    long Failed)
{
    /// <summary>The tags the worker advertises; the sorted set of them names its pool.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
