namespace TaskScheduler.Scheduler.Core;

/// <summary>What creating a schedule did.</summary>
public enum ScheduleChange
{
    Created,
    Replaced,
    Unchanged,
}
