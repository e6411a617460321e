using System.Diagnostics;
using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Engine;
using static TaskScheduler.Scheduler.Journal.TaskDocument;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// The durable record of every accepted task, in one LiteDB file. Task state (with its history) and payloads live in
/// separate collections so status reads never load a 1 MiB payload. Writes come only from the scheduler loop, in turns:
/// one transaction per turn, then fsync, and only then may the turn's broker messages be acknowledged.
/// Reads (status queries) may come from any thread; LiteDB serialises them with the writer.
/// Payloads are keyed by acceptance sequence, not task id: a new key then goes at the end of the index, where a
/// random id would touch (and make LiteDB rewrite) index pages all over the file, twice the bytes per commit.
/// Large payloads are not in the file at all but each in a file of its own beside it (<see cref="PayloadStore"/>),
/// written once and before the commit that references them; the payload document then holds only the file's length.
/// A task's document, both ways, is <see cref="TaskDocument"/>, shared with <see cref="TaskListing"/>. Over 400 lines
/// because the writes, expiry and queries of one LiteDB file share its collections, indexes and transactions, and
/// the commit path is to be redesigned as one piece (replication); it is kept in one file on purpose until then.
/// </summary>
public sealed class TaskJournal : IJournal, ITaskReads, IDisposable
{
    private const string TasksCollection = "tasks";
    private const string PayloadsCollection = "payloads";
    private const string MetaCollection = "meta";
    private const string HeadsCollection = "heads";

    // Meta document 2 marked journals whose finished tasks all carry OutcomeAtField; every journal written now does.

    /// <summary>The meta document holding the key of the last Completed task whose payload was dropped early.</summary>
    private const int PayloadMarkMetaId = 3;

    /// <summary>The meta document saying every task carries the list's keys and has its payload's head.</summary>
    private const int ListKeysMetaId = 4;

    /// <summary>LiteDB 5's limit on one document (2,047 data pages of 8,150 bytes).</summary>
    public const int MaxDocumentBytes = 2047 * 8150;

    // Replaced together by Reopen, after a write failed: LiteDB 5.0.21 cannot write again on an instance whose write
    // failed ("page must be writable"), and shows that failed transaction to its readers as if it had committed.
    private LiteDatabase _db;
    private ILiteCollection<BsonDocument> _tasks;
    private ILiteCollection<BsonDocument> _payloads;
    private ILiteCollection<BsonDocument> _meta;
    private ILiteCollection<BsonDocument> _heads;
    private TaskListing _listing;
    private bool _upsertNext;
    private bool _closed;
    private readonly string _dataPath;
    private readonly string _logPath;
    private readonly bool _durable;
    private readonly PayloadStore _payloadFiles;
    private long _lastSequence;
    private readonly KnownIds _known;
    private readonly JournalCheckpoint? _checkpoint;

    /// <param name="largePayloadChars">Payloads of at least this many characters go to files of their own (<see cref="PayloadStore"/>).</param>
    public TaskJournal(string path, bool durable = true, bool checkpointBetweenTurns = true, int largePayloadChars = PayloadStore.DefaultThresholdChars)
    {
        _dataPath = Path.GetFullPath(path);
        _logPath = Path.Combine(
            Path.GetDirectoryName(_dataPath)!, Path.GetFileNameWithoutExtension(_dataPath) + "-log" + Path.GetExtension(_dataPath));
        _durable = durable;
        Directory.CreateDirectory(Path.GetDirectoryName(_dataPath)!);

        (_db, _tasks, _payloads, _meta, _heads) = Open(_dataPath);
        _known = new KnownIds(() => _tasks.LongCount(), AllIds);
        _checkpoint = checkpointBetweenTurns ? new JournalCheckpoint(_logPath) : null;
        TakeOverCheckpoint();
        _tasks.EnsureIndex(OutcomeAtField, "$." + OutcomeAtField);
        EnsureListIndexes();
        _listing = new TaskListing(_tasks, _heads, _db.Collation);
        _lastSequence = _meta.FindById(1)?["lastSequence"].AsInt64 ?? 0;
        _payloadFiles = new PayloadStore(PayloadStore.DirectoryBeside(_dataPath), largePayloadChars, durable);
        _payloadFiles.SweepOrphans(_lastSequence, sequence => _payloads.FindById(sequence)?[PayloadStore.FileField].IsNumber == true);
        FlushToDisk();
    }

    /// <summary>The journal's database, for the stores that share its file and its fsync (<see cref="ScheduleStore"/>).</summary>
    internal LiteDatabase Database => _db;

    long IJournal.MaxDocumentBytes => MaxDocumentBytes;

    /// <summary>
    /// Opens the file afresh after a write failed (a full disk, an I/O error): the unusable instance is closed first
    /// (two instances must never checkpoint the same log), and a new one reads what is on disk, without the failed
    /// transaction, and can write again once the disk can. The next <see cref="Write"/> upserts, in case part of the
    /// failed one did reach the disk. Throws while the file cannot be opened; call again later.
    /// </summary>
    public void Reopen()
    {
        if (!_closed)
        {
            _closed = true;
            try
            {
                _db.Dispose();
            }
            catch (Exception e) when (e is IOException or LiteException)
            {
                // Its failed write is what made it unusable; what is durable is in the files.
            }
        }

        (_db, _tasks, _payloads, _meta, _heads) = Open(_dataPath);
        TakeOverCheckpoint();
        _listing = new TaskListing(_tasks, _heads, _db.Collation);
        _closed = false;
        _upsertNext = true;
    }

    /// <summary>Time spent in the last LiteDB transaction (<see cref="Write"/>).</summary>
    public TimeSpan LastCommitDuration { get; private set; }

    /// <summary>Time spent in the last <see cref="MakeDurable"/>.</summary>
    public TimeSpan LastFlushDuration { get; private set; }

    /// <summary>
    /// Writes one turn in a single LiteDB transaction: from then on it is read back by every query and survives a
    /// killed process, but not yet a power loss; nothing may be acknowledged on its account before
    /// <see cref="MakeDurable"/>. Must be called on one thread with no await inside: LiteDB transactions belong to
    /// the thread that opened them.
    /// </summary>
    public void Write(IEnumerable<TaskSnapshot> changes, IEnumerable<KeyValuePair<Guid, string>> newPayloads)
    {
        var started = Stopwatch.GetTimestamp();
        _known.StartRequestedBuild();
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("A journal transaction is already open on this thread.");
        }

        try
        {
            // A task's first change comes with its payload: it is inserted, later ones update. Knowing which is which
            // spares LiteDB the failed update an upsert tries first. One bulk call per collection: in 5.0.21 that
            // is about four times cheaper than a call per document.
            var payloads = newPayloads as IReadOnlyDictionary<Guid, string> ?? newPayloads.ToDictionary(p => p.Key, p => p.Value);
            var inserted = new List<BsonDocument>(payloads.Count);
            var updated = new List<BsonDocument>();
            var payloadDocuments = new List<BsonDocument>(payloads.Count);
            var heads = new List<BsonDocument>(payloads.Count);
            var maxSequence = _lastSequence;
            foreach (var change in changes)
            {
                maxSequence = Math.Max(maxSequence, change.Sequence);
                if (payloads.TryGetValue(change.Id, out var payload))
                {
                    _known.Add(change.Id);
                    inserted.Add(ToDocument(change));
                    payloadDocuments.Add(_payloadFiles.Stage(change.Sequence, payload));
                    heads.Add(HeadDocument(change.Sequence, payload));
                }
                else
                {
                    updated.Add(ToDocument(change));
                }
            }

            if (payloadDocuments.Count != payloads.Count)
            {
                throw new InvalidOperationException("Every new payload must come with its task's first change.");
            }

            // On disk before the commit that references them: the journal never points at a missing payload.
            _payloadFiles.WriteStaged();
            if (_upsertNext)
            {
                _payloads.Upsert(payloadDocuments);
                _heads.Upsert(heads);
                _tasks.Upsert(inserted);
            }
            else
            {
                _payloads.Insert(payloadDocuments);
                _heads.Insert(heads);
                _tasks.Insert(inserted);
            }

            if (_tasks.Update(updated) != updated.Count)
            {
                // A change to a task the journal does not hold: cannot happen while every task is inserted with
                // its payload, but a lost change would be worse than the cost of making sure.
                updated.ForEach(d => _known.Add(d["_id"].AsGuid));
                _tasks.Upsert(updated);
            }

            if (maxSequence > _lastSequence)
            {
                _meta.Upsert(new BsonDocument { ["_id"] = 1, ["lastSequence"] = maxSequence });
            }

            _db.Commit();
            _lastSequence = maxSequence;
            _upsertNext = false;
        }
        catch
        {
            RollBack();
            throw;
        }

        LastCommitDuration = Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Puts everything written so far on disk (fsync of the log and data files). One call covers every turn
    /// written before it, so turns written while an earlier flush ran share the next one. Any thread may call it.
    /// </summary>
    public void MakeDurable()
    {
        var started = Stopwatch.GetTimestamp();
        FlushToDisk();
        LastFlushDuration = Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Which ids may exist, so that a lookup of a new one costs no journal read.</summary>
    public KnownIds KnownIds => _known;

    public TaskSnapshot? Find(Guid id)
    {
        if (!_known.MightContain(id))
        {
            return null;
        }

        var doc = _tasks.FindById(id);
        return doc is null ? null : FromDocument(doc);
    }

    /// <summary>
    /// The tasks whose documents are too large for the journal, with their size. The bounds on what a task holds
    /// keep this empty; it is asked only when a write failed, so that one task cannot stop the scheduler.
    /// </summary>
    public static IReadOnlyList<(Guid Id, long Bytes)> Oversized(IEnumerable<TaskSnapshot> changes) =>
        [.. changes.Select(c => (c.Id, Bytes: (long)BsonSerializer.Serialize(ToDocument(c)).Length)).Where(c => c.Bytes > MaxDocumentBytes)];

    IReadOnlyList<(Guid Id, long Bytes)> IJournal.Oversized(IEnumerable<TaskSnapshot> changes) => Oversized(changes);

    /// <summary>
    /// What the journal holds of these tasks, each looked up by its id (about 30 µs each). LiteDB 5.0.21 answers
    /// <c>_id IN [...]</c> with a scan of the whole collection (8.8 ms for one id among 30,000 tasks), and compiles and
    /// keeps a query for every distinct list (<see cref="JournalQuery"/>), so even a large graph is read id by id.
    /// </summary>
    public IEnumerable<TaskSnapshot> FindMany(IReadOnlyCollection<Guid> ids) =>
        [.. ids.Where(_known.MightContain).Select(Find).OfType<TaskSnapshot>()];

    /// <summary>Every task id the journal holds, read by the index in pages (no transaction held long).</summary>
    private IEnumerable<Guid> AllIds()
    {
        var after = BsonValue.MinValue;
        while (true)
        {
            var page = _tasks.Query().Where(JournalQuery.After("_id", after)).OrderBy("_id").Select("_id").Limit(IdPage).ToList();
            foreach (var doc in page)
            {
                yield return doc["_id"].AsGuid;
            }

            if (page.Count < IdPage)
            {
                yield break;
            }

            after = page[^1]["_id"];
        }
    }

    private const int IdPage = 10_000;

    /// <summary>The payload of the task accepted as <paramref name="sequence"/>.</summary>
    public string? FindPayload(long sequence) => _payloads.FindById(sequence) is { } document ? _payloadFiles.Read(document) : null;

    /// <summary>Every journaled step of a task's life, oldest first; empty for an unknown id.</summary>
    public IReadOnlyList<TaskHistoryEntry> History(Guid id) => Find(id) is { } task ? TaskHistory.Of(task) : [];

    /// <summary>
    /// One slice of expiry, in one transaction: deletes at most <paramref name="max"/> finished tasks whose retention
    /// has passed at <paramref name="now"/>, oldest first, each with its payload (state, history and result live in
    /// the task's own document); with what is left of <paramref name="max"/>, drops the payloads of Completed tasks
    /// past <see cref="RetentionPolicy.CompletedPayload"/>. A total below <paramref name="max"/> means nothing more
    /// is due. Loop thread only, like <see cref="Write"/>; the deletes become durable with the next
    /// <see cref="MakeDurable"/>.
    /// </summary>
    public ExpirySlice Expire(RetentionPolicy policy, DateTimeOffset now, int max)
    {
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("A journal transaction is already open on this thread.");
        }

        try
        {
            var tasks = 0;
            foreach (var outcome in RetentionPolicy.Outcomes)
            {
                if (tasks >= max)
                {
                    break;
                }

                var due = _tasks.Find(JournalQuery.Between(OutcomeAtField, $"{outcome}/", KeyBound(outcome, policy.Cutoff(outcome, now))), 0, max - tasks).ToList();
                foreach (var task in due)
                {
                    DeleteTask(task);
                }

                tasks += due.Count;
            }

            var payloads = policy.DropsPayloadsEarly && tasks < max ? DropCompletedPayloads(policy.PayloadCutoff(now), max - tasks) : 0;
            _db.Commit();
            _payloadFiles.DeleteMarked();
            return new ExpirySlice(tasks, payloads);
        }
        catch
        {
            RollBack();
            throw;
        }
    }

    /// <summary>Every task not yet Completed, Failed or Cancelled.</summary>
    public IEnumerable<TaskSnapshot> LoadUnfinished() => LoadRunning().Concat(PendingInOrder());

    /// <summary>Every Running task: few (at most the workers' slots), restored before anything is dispatched.</summary>
    public IEnumerable<TaskSnapshot> LoadRunning() =>
        _tasks.Find(JournalQuery.StartsWith(ListKeys.StateField, ListKeys.StatePrefix(TaskState.Running))).Select(FromDocument);

    /// <summary>
    /// At most <paramref name="max"/> Pending tasks in dispatch order (highest priority first, then oldest
    /// acceptance), from the one after <paramref name="after"/> (null: from the first), read by the queue index.
    /// </summary>
    public IReadOnlyList<TaskSnapshot> LoadPending(PendingEntry? after, int max) =>
        [.. _tasks.Find(AfterQueueKey(after), 0, max).Select(FromDocument)];

    /// <summary>How many Pending tasks the journal holds, counted by the queue index (any thread).</summary>
    public long CountPending() => _tasks.LongCount(AfterQueueKey(null));

    private IEnumerable<TaskSnapshot> PendingInOrder()
    {
        PendingEntry? after = null;
        while (true)
        {
            var page = LoadPending(after, IdPage);
            foreach (var task in page)
            {
                yield return task;
            }

            if (page.Count < IdPage)
            {
                yield break;
            }

            after = new PendingEntry(page[^1].Priority, page[^1].Sequence, page[^1].Id);
        }
    }

    private static BsonExpression AfterQueueKey(PendingEntry? after) =>
        BsonExpression.Create(ListKeys.QueueKeyExpression + " > @0", after is { } entry ? ListKeys.Queue(entry.Priority, entry.Sequence) : "");

    /// <summary>One page of the task list (see <see cref="TaskListing"/>); any thread.</summary>
    public TaskPage List(TaskListFilter filter) => _listing.List(filter);

    /// <summary>The tasks that name <paramref name="id"/> among their dependencies, from the dependency index.</summary>
    public IEnumerable<TaskSnapshot> Dependents(Guid id) =>
        _tasks.Find(BsonExpression.Create("$.dependsOn[*] ANY = @0", new BsonValue(id))).Select(FromDocument);

    /// <summary>
    /// Deletes a task with its payload, in one transaction; true when there was one. Loop thread only, like
    /// <see cref="Write"/>; the delete becomes durable with the next <see cref="MakeDurable"/>.
    /// </summary>
    public bool Delete(Guid id)
    {
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("A journal transaction is already open on this thread.");
        }

        try
        {
            var task = _tasks.FindById(id);
            if (task is not null)
            {
                DeleteTask(task);
            }

            _db.Commit();
            _payloadFiles.DeleteMarked();
            return task is not null;
        }
        catch
        {
            _payloadFiles.DiscardStaged();
            _db.Rollback();
            throw;
        }
    }

    /// <summary>The highest acceptance sequence ever committed; new tasks continue after it.</summary>
    public long LastSequence() => _lastSequence;

    public void Dispose()
    {
        try
        {
            // The pragma lives in the file: left at 0, a build without JournalCheckpoint would never checkpoint.
            if (!_closed && _checkpoint is not null)
            {
                _db.CheckpointSize = JournalCheckpoint.DefaultPages;
            }
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            // A full disk: the next start sets it again, and a downgrade on this file checkpoints only on close.
        }

        _db.Dispose();
    }

    /// <summary>
    /// Rolls back a failed transaction. After a failed write (a full disk) the rollback fails too, with LiteDB's own
    /// words ("discarded page must be writable"): the first failure is the one to report, so that one is kept.
    /// </summary>
    private void RollBack()
    {
        _payloadFiles.DiscardStaged();
        try
        {
            _db.Rollback();
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            // The caller rethrows the failure that caused the rollback.
        }
    }

    // BsonDocument collections only: no BsonMapper reflection, so none of 5.0.21's first-use mapper races.
    private static (LiteDatabase, ILiteCollection<BsonDocument>, ILiteCollection<BsonDocument>, ILiteCollection<BsonDocument>, ILiteCollection<BsonDocument>) Open(
        string path)
    {
        var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        return (db, db.GetCollection(TasksCollection, BsonAutoId.Guid), db.GetCollection(PayloadsCollection, BsonAutoId.Guid),
            db.GetCollection(MetaCollection, BsonAutoId.Int32), db.GetCollection(HeadsCollection, BsonAutoId.Int64));
    }

    /// <summary>LiteDB's checkpoints between turns (<see cref="CheckpointIfDue"/>), or null when LiteDB runs them in its commits.</summary>
    public JournalCheckpoint? Checkpoints => _checkpoint;

    /// <inheritdoc cref="IJournal.CheckpointIfDue"/>
    public TimeSpan? CheckpointIfDue() => _closed ? null : _checkpoint?.RunIfDue(_db, () =>
    {
        if (_durable)
        {
            FileDurability.Flush(_dataPath);
        }
    });

    private void TakeOverCheckpoint()
    {
        _db.CheckpointSize = _checkpoint is null ? JournalCheckpoint.DefaultPages : 0;
    }

    private void FlushToDisk()
    {
        if (!_durable)
        {
            return;
        }

        FileDurability.Flush(_logPath);
        FileDurability.Flush(_dataPath);
    }

    /// <summary>
    /// The list's indexes, and once for a journal written before them: every task rewritten with its keys and its
    /// payload's head saved (one pass over the journal; a million tasks take a few minutes, on the first start only).
    /// </summary>
    private void EnsureListIndexes()
    {
        _tasks.EnsureIndex(ListKeys.SequenceField, "$." + ListKeys.SequenceField);
        _tasks.EnsureIndex(ListKeys.StateField, "$." + ListKeys.StateField);
        _tasks.EnsureIndex(ListKeys.PriorityField, "$." + ListKeys.PriorityField);
        _tasks.EnsureIndex(ListKeys.WorkerField, "$." + ListKeys.WorkerField);
        _tasks.EnsureIndex("dependsOn", "$.dependsOn[*]");
        // Computed by LiteDB from the state, priority and sequence every document holds, so that on a journal written
        // before it this builds it (once) with no rewrite of the tasks.
        _tasks.EnsureIndex(ListKeys.QueueIndex, ListKeys.QueueKeyExpression);
        _heads.EnsureIndex(TaskListing.HeadField, "$." + TaskListing.HeadField);
        if (_meta.FindById(ListKeysMetaId) is not null)
        {
            return;
        }

        // Superseded by the state key, which also orders by acceptance; one index less to keep on every write.
        _tasks.DropIndex("state");
        foreach (var batch in _tasks.FindAll().Select(d => d["_id"]).ToList().Chunk(1000))
        {
            var tasks = batch.Select(id => FromDocument(_tasks.FindById(id))).ToList();
            _tasks.Update(tasks.Select(ToDocument));
            _heads.Upsert(tasks
                .Select(t => (t.Sequence, Payload: FindPayload(t.Sequence)))
                .Where(p => p.Payload is not null)
                .Select(p => HeadDocument(p.Sequence, p.Payload!)));
        }

        _meta.Upsert(new BsonDocument { ["_id"] = ListKeysMetaId, ["listKeys"] = true });
    }

    private static BsonDocument HeadDocument(long sequence, string payload) =>
        new() { ["_id"] = sequence, [TaskListing.HeadField] = BoundedText.Start(payload, TaskListFilter.MaxPrefixChars).ToString() };

    /// <summary>
    /// Drops the payloads of Completed tasks that finished at or before <paramref name="cutoff"/>, in key order from
    /// where the last drop stopped (a mark in the meta collection), so no slice reads a task twice.
    /// </summary>
    private int DropCompletedPayloads(DateTimeOffset cutoff, int max)
    {
        var mark = _meta.FindById(PayloadMarkMetaId)?["key"].AsString ?? $"{TaskState.Completed}/";
        var bound = KeyBound(TaskState.Completed, cutoff);
        if (string.CompareOrdinal(mark, bound) >= 0)
        {
            // Already past the cutoff (PayloadRetention was lengthened): nothing to drop until time catches up.
            return 0;
        }

        var due = _tasks.Find(JournalQuery.Between(OutcomeAtField, mark, bound), 0, max + 1)
            .Where(t => t[OutcomeAtField].AsString != mark)
            .Take(max)
            .ToList();
        if (due.Count == 0)
        {
            return 0;
        }

        foreach (var task in due)
        {
            DeletePayload(task);
        }

        _meta.Upsert(new BsonDocument { ["_id"] = PayloadMarkMetaId, ["key"] = due[^1][OutcomeAtField] });
        return due.Count;
    }

    /// <summary>Deletes a task's document, its payload and its payload's head.</summary>
    private void DeleteTask(BsonDocument task)
    {
        DeletePayload(task);
        _heads.Delete(task["sequence"]);
        _tasks.Delete(task["_id"]);
    }

    private void DeletePayload(BsonDocument task)
    {
        _payloads.Delete(task["sequence"]);
        if (task["bytes"].AsInt32 >= PayloadStore.MinThresholdChars)
        {
            _payloadFiles.DeleteAfterCommit(task["sequence"].AsInt64);
        }
    }
}
