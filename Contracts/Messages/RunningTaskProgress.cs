namespace TaskScheduler.Contracts.Messages;

/// <summary>A running task whose handler reported progress, as the dashboard and <c>tasks top</c> list it.</summary>
public sealed record RunningTaskProgress(Guid TaskId, int Attempt, string WorkerId, TaskProgress Progress);
