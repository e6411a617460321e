using Cronos;

namespace TaskScheduler.Scheduler.Core.Schedules;

/// <summary>
/// One recurring task: its cron expression in its time zone, the submission each occurrence makes, its misfire
/// policy, and its state (paused, the last occurrence it fired). Journaled whole when it changes.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _cron;
    private readonly TimeZoneInfo _zone;

    public CronSchedule(ScheduleDefinition definition, Guid uid, DateTimeOffset createdAt)
    {
        Definition = definition;
        Uid = uid;
        CreatedAt = createdAt;
        _cron = definition.Expression;
        _zone = definition.Zone;
    }

    public ScheduleDefinition Definition { get; }

    public string Name => Definition.Name;

    public Guid Uid { get; }

    public DateTimeOffset CreatedAt { get; }

    public bool Paused { get; set; }

    /// <summary>The last occurrence dealt with (fired, or skipped as a misfire); occurrences after it are due.</summary>
    public DateTimeOffset? LastFireAt { get; set; }

    public long Fired { get; set; }

    /// <summary>The first occurrence after <paramref name="after"/>, or null when the expression has none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => _cron.GetNextOccurrence(after, _zone, inclusive: false);

    /// <summary>The next occurrence not yet dealt with.</summary>
    public DateTimeOffset? Next => NextAfter(LastFireAt ?? CreatedAt);
}
