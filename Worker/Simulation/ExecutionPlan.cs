namespace TaskScheduler.Worker.Simulation;

/// <summary>How a simulated task behaves: how long it runs and whether it ends in failure.</summary>
public sealed record ExecutionPlan(TimeSpan Duration, bool Fails, string? Error);
