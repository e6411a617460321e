namespace TaskScheduler.Scheduler.Core;

/// <summary>What a core operation answered (<see cref="Value"/>) and what it decided (<see cref="Effects"/>).</summary>
public readonly record struct CoreResult<T>(T Value, CoreEffects Effects);
