namespace TaskScheduler.Scheduler.Core.Schedules;

/// <summary>What a schedule does with occurrences missed while the scheduler was down (older than the misfire threshold).</summary>
public enum MisfirePolicy
{
    /// <summary>One task now for all of them (the latest missed occurrence).</summary>
    RunOnce,

    /// <summary>None: the schedule goes on from its next occurrence.</summary>
    Skip,
}
