using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Broker;

/// <summary>A task event seen on the events exchange: a state change or a rejection.</summary>
public sealed record TaskEvent(Guid TaskId, string Kind, TaskState? State, string? WorkerId, int Attempt, string? Error, DateTimeOffset At)
{
    public bool IsFinal => Kind == Topology.RejectedKind || State is { } s && s.IsFinal();
}
