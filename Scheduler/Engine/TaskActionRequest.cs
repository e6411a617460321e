using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// An operator's action over HTTP on one or more tasks, by <paramref name="Actor"/> (the API key's name) for
/// <paramref name="Why"/>; <paramref name="Reply"/> gets one verdict per id once the turn is durable.
/// </summary>
public sealed record TaskActionRequest(
    TaskActionKind Kind,
    IReadOnlyList<Guid> Ids,
    string Actor,
    string? Why,
    TaskCompletionSource<IReadOnlyList<TaskActionVerdict>> Reply) : SchedulerInput
{
    /// <summary>The new priority, for <see cref="TaskActionKind.ChangePriority"/>.</summary>
    public int Priority { get; init; }
}
