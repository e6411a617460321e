using TaskScheduler.Contracts;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>A task event as a subscriber of the events exchange sees it.</summary>
public sealed record RecordedEvent(Guid TaskId, string Kind, TaskState? State, string? WorkerId, int Attempt, int Priority, string? Error)
{
    public bool IsFinal => Kind == Topology.RejectedKind || State is { } s && s.IsFinal();
}
