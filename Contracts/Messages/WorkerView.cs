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
    long Failed);
