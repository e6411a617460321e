using TaskScheduler.Contracts;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>A task event as a subscriber of the events exchange sees it.</summary>
public sealed record RecordedEvent(Guid TaskId, string Kind, TaskState? State, string? WorkerId, int Attempt, int Priority, string? Error)
{
    /// <summary>A Completed, Failed or Cancelled state change (a rejection concerns a submission, not a task's state).</summary>
    public bool IsFinal => State is { } s && s.IsFinal();
}
