using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Core.Retention;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// A task's document in the journal, both ways, in one place for <see cref="TaskJournal"/> (snapshots, history) and
/// <see cref="TaskListing"/> (a page's summaries): the fields, which are written only when set, and the keys the
/// list and expiry range over.
/// </summary>
internal static class TaskDocument
{
    /// <summary>
    /// On finished tasks only: the outcome and the finish time, as one indexed key (<see cref="OutcomeKey"/>), so expiry
    /// finds what is due for each outcome by a range of the index, oldest first, whatever the other outcomes keep.
    /// </summary>
    internal const string OutcomeAtField = "outcomeAt";

    /// <summary>"Completed/TICKS/SEQUENCE": by outcome, then finish time; the sequence makes every key unique.</summary>
    internal static string OutcomeKey(TaskState outcome, DateTimeOffset finishedAt, long sequence) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{outcome}/{finishedAt.UtcTicks:D19}/{sequence:D19}");

    /// <summary>Above every key of this outcome finished at or before <paramref name="finishedAt"/>, below every later one.</summary>
    internal static string KeyBound(TaskState outcome, DateTimeOffset finishedAt) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{outcome}/{finishedAt.UtcTicks + 1:D19}");

    internal static BsonDocument ToDocument(TaskSnapshot s)
    {
        var document = PlainDocument(s);
        document[ListKeys.StateField] = ListKeys.State(s.State, s.Sequence);
        document[ListKeys.PriorityField] = ListKeys.Priority(s.Priority, s.Sequence);
        if (s.WorkerId is not null)
        {
            document[ListKeys.WorkerField] = ListKeys.Worker(s.WorkerId, s.Sequence);
        }

        if (s.State.IsFinal())
        {
            document[OutcomeAtField] = OutcomeKey(s.State, RetentionPolicy.FinishedAt(s), s.Sequence);
        }

        // Written only when set: a plain task (the hot path) pays nothing for features it does not use.
        if (s.DependsOn.Count > 0)
        {
            document["dependsOn"] = new BsonArray(s.DependsOn.Select(d => new BsonValue(d)));
        }

        if (s.MaxRetries > 0)
        {
            document["maxRetries"] = s.MaxRetries;
            document["retries"] = s.Retries;
            document["retryAt"] = Time(s.RetryAt);
        }

        if (s.Wait != PendingWait.Queued)
        {
            document["wait"] = s.Wait.ToString();
        }

        if (s.Checkpoint is not null || s.Preemptions > 0)
        {
            document["checkpoint"] = s.Checkpoint is null ? BsonValue.Null : new BsonValue(s.Checkpoint);
            document["preemptions"] = s.Preemptions;
        }

        if (s.Timeout is { } timeout)
        {
            document["timeoutTicks"] = timeout.Ticks;
        }

        if (s.Result is not null)
        {
            document["result"] = s.Result;
        }

        if (s.RunAt is not null || s.Requires.Count > 0 || s.Group is not null)
        {
            document["runAt"] = Time(s.RunAt);
            document["requires"] = new BsonArray(s.Requires.Select(t => new BsonValue(t)));
            document["group"] = s.Group is null ? BsonValue.Null : new BsonValue(s.Group);
        }

        if (s.WorkerDeaths > 0)
        {
            document["workerDeaths"] = s.WorkerDeaths;
        }

        // Inside the task's document: rewritten with every change anyway, so history costs no document of its own.
        if (s.History.Count > 0)
        {
            document["history"] = new BsonArray(s.History.Select(ToDocument));
        }

        return document;
    }

    internal static BsonDocument PlainDocument(TaskSnapshot s) => new()
    {
        ["_id"] = s.Id,
        ["priority"] = s.Priority,
        ["sequence"] = s.Sequence,
        ["state"] = s.State.ToString(),
        ["attempts"] = s.Attempts,
        ["worker"] = s.WorkerId is null ? BsonValue.Null : new BsonValue(s.WorkerId),
        ["submittedAt"] = s.SubmittedAt.UtcDateTime,
        ["assignedAt"] = Time(s.AssignedAt),
        ["startedAt"] = Time(s.StartedAt),
        ["finishedAt"] = Time(s.FinishedAt),
        ["error"] = s.Error is null ? BsonValue.Null : new BsonValue(s.Error),
        ["note"] = s.Note is null ? BsonValue.Null : new BsonValue(s.Note),
        ["hash"] = s.ContentHash,
        ["bytes"] = s.PayloadBytes,
    };

    internal static TaskSnapshot FromDocument(BsonDocument d) => PlainSnapshot(d) with
    {
        // Absent from documents of plain tasks: written only when set.
        DependsOn = d["dependsOn"].IsArray ? [.. d["dependsOn"].AsArray.Select(v => v.AsGuid)] : [],
        MaxRetries = d["maxRetries"].IsNull ? 0 : d["maxRetries"].AsInt32,
        Retries = d["retries"].IsNull ? 0 : d["retries"].AsInt32,
        RetryAt = Time(d["retryAt"]),
        Wait = d["wait"].IsNull ? PendingWait.Queued : Enum.Parse<PendingWait>(d["wait"].AsString),
        Checkpoint = d["checkpoint"].IsString ? d["checkpoint"].AsString : null,
        Timeout = d["timeoutTicks"].IsNull ? null : TimeSpan.FromTicks(d["timeoutTicks"].AsInt64),
        Result = d["result"].IsString ? d["result"].AsString : null,
        RunAt = Time(d["runAt"]),
        Requires = d["requires"].IsArray ? [.. d["requires"].AsArray.Select(v => v.AsString)] : [],
        Group = d["group"].IsString ? d["group"].AsString : null,
        Preemptions = d["preemptions"].IsNull ? 0 : d["preemptions"].AsInt32,
        WorkerDeaths = d["workerDeaths"].IsNull ? 0 : d["workerDeaths"].AsInt32,
        History = d["history"].IsArray ? [.. d["history"].AsArray.Select(h => FromHistoryDocument(h.AsDocument))] : [],
    };

    internal static BsonDocument ToDocument(TaskHistoryEntry e)
    {
        var document = new BsonDocument { ["at"] = e.At.UtcDateTime, ["event"] = e.Event };
        if (e.WorkerId is not null)
        {
            document["worker"] = e.WorkerId;
        }

        if (e.Attempt is { } attempt)
        {
            document["attempt"] = attempt;
        }

        if (e.Detail is not null)
        {
            document["detail"] = e.Detail;
        }

        return document;
    }

    internal static TaskHistoryEntry FromHistoryDocument(BsonDocument d) => new(
        Time(d["at"])!.Value,
        d["event"].AsString,
        d["worker"].IsNull ? null : d["worker"].AsString,
        d["attempt"].IsNull ? null : d["attempt"].AsInt32,
        d["detail"].IsNull ? null : d["detail"].AsString);

    internal static TaskSnapshot PlainSnapshot(BsonDocument d) => new(
        d["_id"].AsGuid,
        d["priority"].AsInt32,
        d["sequence"].AsInt64,
        Enum.Parse<TaskState>(d["state"].AsString),
        d["attempts"].AsInt32,
        d["worker"].IsNull ? null : d["worker"].AsString,
        Time(d["submittedAt"])!.Value,
        Time(d["assignedAt"]),
        Time(d["startedAt"]),
        Time(d["finishedAt"]),
        d["error"].IsNull ? null : d["error"].AsString,
        d["note"].IsNull ? null : d["note"].AsString,
        d["hash"].AsString,
        d["bytes"].AsInt32);

    internal static BsonValue Time(DateTimeOffset? t) => t is { } value ? new BsonValue(value.UtcDateTime) : BsonValue.Null;

    internal static DateTimeOffset? Time(BsonValue v) =>
        v.IsNull ? null : new DateTimeOffset(DateTime.SpecifyKind(v.AsDateTime.ToUniversalTime(), DateTimeKind.Utc));

    internal static TaskSummary Summary(BsonDocument d, IReadOnlyDictionary<long, string> heads) => new(
        d["_id"].AsGuid,
        Enum.Parse<TaskState>(d["state"].AsString),
        d["priority"].AsInt32,
        d["attempts"].AsInt32,
        d["worker"].IsNull ? null : d["worker"].AsString,
        Time(d["submittedAt"])!.Value,
        Time(d["finishedAt"]),
        d["error"].IsNull ? null : BoundedText.Truncate(d["error"].AsString, 200),
        d["bytes"].AsInt32)
    {
        PayloadHead = heads.GetValueOrDefault(d["sequence"].AsInt64),
    };
}
