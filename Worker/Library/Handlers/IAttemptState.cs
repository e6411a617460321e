using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Worker.Handlers;

/// <summary>
/// What a <see cref="TaskContext"/> reads and records of the attempt it belongs to. The agent's running attempt
/// implements it, so the handler's side needs nothing of the agent's.
/// </summary>
internal interface IAttemptState
{
    AssignTask Order { get; }

    TimeSpan? Timeout { get; }

    StopReason StopReason { get; }

    /// <summary>Set once the attempt is reported or handed back: whatever its handler still does is not heard.</summary>
    bool Over { get; }

    TaskProgress? Progress { set; }

    DateTimeOffset? ExpectedEnd { set; }

    string? LastCheckpoint { set; }
}
