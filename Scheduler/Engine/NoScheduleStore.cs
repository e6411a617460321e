using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>Keeps no schedules: for an engine built without them (unit tests of the engine on fakes).</summary>
public sealed class NoScheduleStore : IScheduleStore
{
    public static readonly NoScheduleStore Instance = new();

    public IEnumerable<CronSchedule> Load() => [];

    public void Write(IReadOnlyCollection<CronSchedule> changed, IReadOnlyCollection<string> removed)
    {
    }
}
