using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// A change to the schedules over HTTP, applied by the loop (which owns them): create or replace
/// (<see cref="Definition"/> set), pause, resume or remove the schedule <see cref="Name"/>. <see cref="Reply"/> says
/// what happened once it is written, or null when there is no such schedule.
/// </summary>
public sealed record ScheduleRequest(string Name, ScheduleAction Action, TaskCompletionSource<string?> Reply) : SchedulerInput
{
    public ScheduleDefinition? Definition { get; init; }
}
