using System.Diagnostics;
using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// The durable record of every accepted task, in one LiteDB file. Task state (with its history) and payloads live in
/// separate collections so status reads never load a 1 MiB payload. Writes come only from the scheduler loop, in groups:
/// one transaction per group, then fsync, and only then may the group's broker messages be acknowledged.
/// Reads (status queries) may come from any thread; LiteDB serialises them with the writer.
/// </summary>
public sealed class TaskJournal : IDisposable
{
    private const string TasksCollection = "tasks";
    private const string PayloadsCollection = "payloads";
    private const string MetaCollection = "meta";

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _tasks;
    private readonly ILiteCollection<BsonDocument> _payloads;
    private readonly ILiteCollection<BsonDocument> _meta;
    private readonly string _dataPath;
    private readonly string _logPath;
    private readonly bool _durable;
    private long _lastSequence;

    public TaskJournal(string path, bool durable = true)
    {
        _dataPath = Path.GetFullPath(path);
        _logPath = Path.Combine(
            Path.GetDirectoryName(_dataPath)!, Path.GetFileNameWithoutExtension(_dataPath) + "-log" + Path.GetExtension(_dataPath));
        _durable = durable;
        Directory.CreateDirectory(Path.GetDirectoryName(_dataPath)!);

        // BsonDocument collections only: no BsonMapper reflection, so none of 5.0.21's first-use mapper races.
        _db = new LiteDatabase(new ConnectionString { Filename = _dataPath, Connection = ConnectionType.Direct });
        _tasks = _db.GetCollection(TasksCollection, BsonAutoId.Guid);
        _payloads = _db.GetCollection(PayloadsCollection, BsonAutoId.Guid);
        _meta = _db.GetCollection(MetaCollection, BsonAutoId.Int32);
        _tasks.EnsureIndex("state", "$.state");
        _lastSequence = _meta.FindById(1)?["lastSequence"].AsInt64 ?? 0;
        FlushToDisk();
    }

    /// <summary>Time spent in the last commit, fsync included.</summary>
    public TimeSpan LastCommitDuration { get; private set; }

    /// <summary>
    /// Writes one group in a single transaction and makes it durable. Must be called on one thread with no await
    /// inside: LiteDB transactions belong to the thread that opened them.
    /// </summary>
    public void Commit(IEnumerable<TaskSnapshot> changes, IEnumerable<KeyValuePair<Guid, string>> newPayloads)
    {
        var started = Stopwatch.GetTimestamp();
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("A journal transaction is already open on this thread.");
        }

        try
        {
            // One bulk call per collection: in 5.0.21 that is about four times cheaper than a call per document.
            _payloads.Upsert(newPayloads.Select(p => new BsonDocument { ["_id"] = p.Key, ["payload"] = p.Value }));

            var documents = new List<BsonDocument>();
            var maxSequence = _lastSequence;
            foreach (var change in changes)
            {
                documents.Add(ToDocument(change));
                maxSequence = Math.Max(maxSequence, change.Sequence);
            }

            _tasks.Upsert(documents);
            if (maxSequence > _lastSequence)
            {
                _meta.Upsert(new BsonDocument { ["_id"] = 1, ["lastSequence"] = maxSequence });
            }

            _db.Commit();
            _lastSequence = maxSequence;
        }
        catch
        {
            _db.Rollback();
            throw;
        }

        FlushToDisk();
        LastCommitDuration = Stopwatch.GetElapsedTime(started);
    }

    public TaskSnapshot? Find(Guid id)
    {
        var doc = _tasks.FindById(id);
        return doc is null ? null : FromDocument(doc);
    }

    public string? FindPayload(Guid id) => _payloads.FindById(id)?["payload"].AsString;

    /// <summary>Every journaled step of a task's life, oldest first; empty for an unknown id.</summary>
    public IReadOnlyList<TaskHistoryEntry> History(Guid id) => Find(id) is { } task ? TaskHistory.Of(task) : [];

    /// <summary>Every task not yet Completed, Failed or Cancelled.</summary>
    public IEnumerable<TaskSnapshot> LoadUnfinished() =>
        _tasks.Find(Query.In("state", new BsonValue(nameof(TaskState.Pending)), new BsonValue(nameof(TaskState.Running))))
            .Select(FromDocument);

    /// <summary>The highest acceptance sequence ever committed; new tasks continue after it.</summary>
    public long LastSequence() => _lastSequence;

    public void Dispose() => _db.Dispose();

    private void FlushToDisk()
    {
        if (!_durable)
        {
            return;
        }

        FileDurability.Flush(_logPath);
        FileDurability.Flush(_dataPath);
    }

    private static BsonDocument ToDocument(TaskSnapshot s)
    {
        var document = PlainDocument(s);

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

        if (s.Progress > TimeSpan.Zero || s.Preemptions > 0)
        {
            document["progressTicks"] = s.Progress.Ticks;
            document["preemptions"] = s.Preemptions;
        }

        // Inside the task's document: rewritten with every change anyway, so history costs no document of its own.
        if (s.History.Count > 0)
        {
            document["history"] = new BsonArray(s.History.Select(ToDocument));
        }

        return document;
    }

    private static BsonDocument PlainDocument(TaskSnapshot s) => new()
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

    private static TaskSnapshot FromDocument(BsonDocument d) => PlainSnapshot(d) with
    {
        // Absent from documents of plain tasks and of journals written before these fields existed.
        DependsOn = d["dependsOn"].IsArray ? [.. d["dependsOn"].AsArray.Select(v => v.AsGuid)] : [],
        MaxRetries = d["maxRetries"].IsNull ? 0 : d["maxRetries"].AsInt32,
        Retries = d["retries"].IsNull ? 0 : d["retries"].AsInt32,
        RetryAt = Time(d["retryAt"]),
        Wait = d["wait"].IsNull ? PendingWait.Queued : Enum.Parse<PendingWait>(d["wait"].AsString),
        Progress = d["progressTicks"].IsNull ? TimeSpan.Zero : TimeSpan.FromTicks(d["progressTicks"].AsInt64),
        Preemptions = d["preemptions"].IsNull ? 0 : d["preemptions"].AsInt32,
        History = d["history"].IsArray ? [.. d["history"].AsArray.Select(h => FromHistoryDocument(h.AsDocument))] : [],
    };

    private static BsonDocument ToDocument(TaskHistoryEntry e)
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

    private static TaskHistoryEntry FromHistoryDocument(BsonDocument d) => new(
        Time(d["at"])!.Value,
        d["event"].AsString,
        d["worker"].IsNull ? null : d["worker"].AsString,
        d["attempt"].IsNull ? null : d["attempt"].AsInt32,
        d["detail"].IsNull ? null : d["detail"].AsString);

    private static TaskSnapshot PlainSnapshot(BsonDocument d) => new(
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

    private static BsonValue Time(DateTimeOffset? t) => t is { } value ? new BsonValue(value.UtcDateTime) : BsonValue.Null;

    private static DateTimeOffset? Time(BsonValue v) =>
        v.IsNull ? null : new DateTimeOffset(DateTime.SpecifyKind(v.AsDateTime.ToUniversalTime(), DateTimeKind.Utc));
}
