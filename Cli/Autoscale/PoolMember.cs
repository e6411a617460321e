namespace TaskScheduler.Cli.Autoscale;

/// <summary>A worker process the local autoscaler started: its id, when, and whether it was asked to stop.</summary>
public sealed record PoolMember(string Id, DateTimeOffset StartedAt, bool Stopping);
