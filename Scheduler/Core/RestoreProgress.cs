namespace TaskScheduler.Scheduler.Core;

/// <summary>How far a restore in progress is: pending tasks read from the journal, of those it held (null until counted).</summary>
public sealed record RestoreProgress(long Loaded, long? Total);
