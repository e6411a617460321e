namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// A recurring task as the scheduler keeps it (<c>GET /api/schedules</c>): its cron expression in its time zone, the
/// task each occurrence submits (<see cref="Task"/>, a submission without an id), and where it stands.
/// </summary>
/// <param name="Name">The schedule's name, unique: letters, digits and <c>-_.:</c>.</param>
/// <param name="Uid">Changes when the schedule is replaced; with a fire time it makes the occurrence's task id (<see cref="ScheduleOccurrence"/>).</param>
/// <param name="Cron">Five fields (minutes) or six (seconds first), as Cronos reads them.</param>
/// <param name="TimeZone">An IANA time zone (<c>Europe/Paris</c>) or <c>UTC</c>.</param>
/// <param name="Misfire"><c>run-once</c> or <c>skip</c>: what occurrences missed while the scheduler was down become.</param>
/// <param name="Task">The submission each occurrence makes, as JSON (payload, priority, maxRetries, timeout, requires, group).</param>
public sealed record ScheduleView(
    string Name,
    Guid Uid,
    string Cron,
    string TimeZone,
    string Misfire,
    bool Paused,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastFireAt,
    DateTimeOffset? NextFireAt,
    string Task)
{
    /// <summary>Tasks this schedule has submitted since it was created or replaced.</summary>
    public long Fired { get; init; }
}
