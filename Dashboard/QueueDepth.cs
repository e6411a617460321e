namespace TaskScheduler.Dashboard;

/// <summary>How many tasks wait at one priority.</summary>
public sealed record QueueDepth(int Priority, int Count);
