namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// A worker paused an attempt on the scheduler's order. <see cref="Progress"/> is the work done so far (the
/// checkpoint), which the next attempt continues from.
/// </summary>
public sealed record TaskPreempted(string WorkerId, Guid TaskId, int Attempt, TimeSpan Progress, DateTimeOffset At);
