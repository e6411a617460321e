namespace TaskScheduler.Scheduler.Core.Schedules;

/// <summary>What creating a schedule did.</summary>
public enum ScheduleChange
{
    Created,
    Replaced,
    Unchanged,
}
