namespace TaskScheduler.Scheduler.Core;

/// <summary>A submission that passed validation.</summary>
public sealed record ParsedSubmission(Guid Id, string Payload, int Priority, string ContentHash, int PayloadBytes);
