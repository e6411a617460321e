namespace TaskScheduler.Scheduler.Engine;

/// <summary>What a <see cref="ScheduleRequest"/> asks for.</summary>
public enum ScheduleAction
{
    Put,
    Pause,
    Resume,
    Remove,
}
