using Cronos;

namespace TaskScheduler.Scheduler.Core.Schedules;

/// <summary>What a user asks for when creating a schedule, validated: equal definitions are the same schedule.</summary>
public sealed record ScheduleDefinition(string Name, string Cron, string TimeZone, MisfirePolicy Misfire, string Task)
{
    public CronExpression Expression { get; } = CronExpression.Parse(Cron, Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    public TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public static string MisfireName(MisfirePolicy policy) => policy == MisfirePolicy.Skip ? "skip" : "run-once";

    public bool SameAs(ScheduleDefinition other) =>
        Name == other.Name && Cron == other.Cron && TimeZone == other.TimeZone && Misfire == other.Misfire && Task == other.Task;
}
