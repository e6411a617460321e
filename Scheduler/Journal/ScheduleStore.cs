using LiteDB;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;
using TaskScheduler.Scheduler.Engine;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// Schedules in the journal's file, a document each. Written by the loop after the turn's tasks, in a transaction of
/// its own: should the process die between the two, the occurrences fire again after the restart, and being the same
/// task ids, they are duplicates (no-ops); it cannot happen the other way round, that a fire is recorded whose task
/// was not. Made durable with the turn's fsync.
/// </summary>
public sealed class ScheduleStore : IScheduleStore
{
    private readonly TaskJournal _journal;

    public ScheduleStore(TaskJournal journal) => _journal = journal;

    // Asked of the journal at each use: it opens its file afresh after a write the disk refused (TaskJournal.Reopen).
    private LiteDatabase Database => _journal.Database;

    private ILiteCollection<BsonDocument> Schedules => Database.GetCollection("schedules", BsonAutoId.Int32);

    public IEnumerable<CronSchedule> Load() => Schedules.FindAll().Select(FromDocument).ToList();

    public void Write(IReadOnlyCollection<CronSchedule> changed, IReadOnlyCollection<string> removed)
    {
        if (changed.Count == 0 && removed.Count == 0)
        {
            return;
        }

        Database.BeginTrans();
        try
        {
            Schedules.Upsert(changed.Select(ToDocument));
            foreach (var name in removed)
            {
                Schedules.Delete(name);
            }

            Database.Commit();
        }
        catch
        {
            Database.Rollback();
            throw;
        }
    }

    private static BsonDocument ToDocument(CronSchedule s) => new()
    {
        ["_id"] = s.Name,
        ["uid"] = s.Uid,
        ["cron"] = s.Definition.Cron,
        ["timeZone"] = s.Definition.TimeZone,
        ["misfire"] = s.Definition.Misfire.ToString(),
        ["task"] = s.Definition.Task,
        ["createdAt"] = s.CreatedAt.UtcDateTime,
        ["paused"] = s.Paused,
        ["lastFireAt"] = s.LastFireAt is { } at ? new BsonValue(at.UtcDateTime) : BsonValue.Null,
        ["fired"] = s.Fired,
    };

    private static CronSchedule FromDocument(BsonDocument d) =>
        new(new ScheduleDefinition(d["_id"].AsString, d["cron"].AsString, d["timeZone"].AsString, Enum.Parse<MisfirePolicy>(d["misfire"].AsString), d["task"].AsString),
            d["uid"].AsGuid, Utc(d["createdAt"]))
        {
            Paused = d["paused"].AsBoolean,
            LastFireAt = d["lastFireAt"].IsNull ? null : Utc(d["lastFireAt"]),
            Fired = d["fired"].AsInt64,
        };

    private static DateTimeOffset Utc(BsonValue v) => new(DateTime.SpecifyKind(v.AsDateTime.ToUniversalTime(), DateTimeKind.Utc));
}
