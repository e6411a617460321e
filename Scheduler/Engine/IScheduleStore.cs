using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>Where the schedules are kept between runs: the journal's file (<c>Journal/ScheduleStore</c>), or nowhere.</summary>
public interface IScheduleStore
{
    IEnumerable<CronSchedule> Load();

    void Write(IReadOnlyCollection<CronSchedule> changed, IReadOnlyCollection<string> removed);
}
