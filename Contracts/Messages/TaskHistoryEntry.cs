namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// One journaled step in a task's life, as <c>GET /api/tasks/{id}/history</c> lists it (oldest first).
/// <see cref="Event"/> is one of <see cref="TaskHistoryEvents"/>.
/// </summary>
public sealed record TaskHistoryEntry(DateTimeOffset At, string Event, string? WorkerId, int? Attempt, string? Detail);
