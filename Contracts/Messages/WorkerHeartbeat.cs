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
    DateTimeOffset At);
