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
/// The durable record of every accepted task, in one LiteDB file. Writes come only from the scheduler loop, in turns:
/// each turn appends one record (<see cref="TurnRecord"/>) to its log (<see cref="LiteTurnLog"/>) and stores the
/// payloads it accepted, in one transaction, then fsync, and only then may the turn's broker messages be acknowledged.
/// Task documents (state with history) live apart from payloads, so status reads never load a 1 MiB payload, and are
/// written behind the loop by the <see cref="Materializer"/>, which keeps what it has not yet written where every
/// read looks first. Opening the journal replays the records after the last batch; a clean close writes everything,
/// leaving no record behind.
/// Reads (status queries) may come from any thread; LiteDB serialises them with the writers.
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

    /// <summary>The meta document holding the turn up to which the task documents are complete (the materializer's mark).</summary>
    private const int MaterializedMetaId = 5;

    /// <summary>A record's inline payloads: none, since this journal stores each payload apart (<see cref="TurnRecord.StoredApart"/>).</summary>
    private static readonly IReadOnlyDictionary<Guid, string> NoPayloads = new Dictionary<Guid, string>();

    /// <summary>LiteDB 5's limit on one document (2,047 data pages of 8,150 bytes).</summary>
    public const int MaxDocumentBytes = 2047 * 8150;

    /// <summary>Instances a failed write left unusable and whose disposal failed: never finalized (see <c>ReopenFile</c>).</summary>
    private static readonly List<LiteDatabase> Unusable = [];

    // Replaced together by Reopen, after a write failed: LiteDB 5.0.21 cannot write again on an instance whose write
    // failed ("page must be writable"), and shows that failed transaction to its readers as if it had committed.
    private LiteDatabase _db;
    private ILiteCollection<BsonDocument> _tasks;
    private ILiteCollection<BsonDocument> _payloads;
    private ILiteCollection<BsonDocument> _meta;
    private ILiteCollection<BsonDocument> _heads;
    private LiteTurnLog _turns;
    private long _documentsInserted;
    private long _documentsUpdated;
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
    private readonly Materializer _materializer;

    // The last turn a restart replayed: until the mark passes it, a task a replayed turn accepted may already have its
    // documents (a batch wrote them before the kill), so batches upsert. Likewise the first batch after a reopen.
    private long _replayedUpTo;
    private volatile bool _upsertNextBatch;

    // A batch's write failed (a full disk): LiteDB 5.0.21 leaves that instance unusable (its rollback fails too, and
    // the failed transaction keeps its locks, so other writers would wait a minute for them). Nothing writes to it
    // again; the loop's next write fails with this, and the engine reopens the file (JournalOutage), as for its own.
    private volatile Exception? _batchFailure;
    private bool _disposed;

    /// <param name="largePayloadChars">Payloads of at least this many characters go to files of their own (<see cref="PayloadStore"/>).</param>
    /// <param name="materializeWindow">How long a change may wait before its task's document is written (<see cref="Materializer.DefaultWindow"/>).</param>
    public TaskJournal(
        string path,
        bool durable = true,
        bool checkpointBetweenTurns = true,
        int largePayloadChars = PayloadStore.DefaultThresholdChars,
        TimeSpan? materializeWindow = null)
    {
        _dataPath = Path.GetFullPath(path);
        _logPath = Path.Combine(
            Path.GetDirectoryName(_dataPath)!, Path.GetFileNameWithoutExtension(_dataPath) + "-log" + Path.GetExtension(_dataPath));
        _durable = durable;
        Directory.CreateDirectory(Path.GetDirectoryName(_dataPath)!);

        (_db, _tasks, _payloads, _meta, _heads, _turns) = Open(_dataPath);
        _materializer = new Materializer(WriteBatch, _meta.FindById(MaterializedMetaId)?["upTo"].AsInt64 ?? 0, materializeWindow ?? Materializer.DefaultWindow);

        // A build reads the ids still carried before the documents: one the materializer writes meanwhile is then in both.
        _known = new KnownIds(() => _tasks.LongCount() + _materializer.Carried, () => _materializer.CarriedIds().Concat(AllIds()));
        _checkpoint = checkpointBetweenTurns ? new JournalCheckpoint(_logPath) : null;
        TakeOverCheckpoint();
        _tasks.EnsureIndex(OutcomeAtField, "$." + OutcomeAtField);
        EnsureListIndexes();
        _listing = new TaskListing(_tasks, _heads, _db.Collation);
        _lastSequence = _meta.FindById(1)?["lastSequence"].AsInt64 ?? 0;
        _payloadFiles = new PayloadStore(PayloadStore.DirectoryBeside(_dataPath), largePayloadChars, durable);
        ReplayedTurns = ReplayTurns();
        _payloadFiles.SweepOrphans(_lastSequence, sequence => _payloads.FindById(sequence)?[PayloadStore.FileField].IsNumber == true);
        FlushToDisk();
        _materializer.Start();
    }

    /// <summary>How many turns opening the journal replayed: those a killed scheduler committed but had not yet written as documents.</summary>
    public int ReplayedTurns { get; }

    /// <summary>The journal's database, for the stores that share its file and its fsync (<see cref="ScheduleStore"/>).</summary>
    internal LiteDatabase Database => _db;

    long IJournal.MaxDocumentBytes => MaxDocumentBytes;

    /// <summary>
    /// Opens the file afresh after a write failed (a full disk, an I/O error): the unusable instance is closed first
    /// (two instances must never checkpoint the same log), and a new one reads what is on disk, without the failed
    /// transaction, and can write again once the disk can. The next <see cref="Write"/> upserts, in case part of the
    /// failed one did reach the disk. Throws while the file cannot be opened; call again later.
    /// </summary>
    public void Reopen() => _materializer.Exclusive(ReopenFile);

    private void ReopenFile()
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
                // Its failed write is what made it unusable; what is durable is in the files. Its failed transaction
                // could not be rolled back, and LiteDB's finalizer would try again on the finalizer thread and throw
                // there, ending the process: the instance is kept reachable instead (a few MB per disk-full episode).
                lock (Unusable)
                {
                    Unusable.Add(_db);
                }
            }
        }

        (_db, _tasks, _payloads, _meta, _heads, _turns) = Open(_dataPath);
        TakeOverCheckpoint();
        _listing = new TaskListing(_tasks, _heads, _db.Collation);
        _closed = false;
        _upsertNext = true;
        _upsertNextBatch = true;
        _batchFailure = null;
    }

    /// <summary>Time spent in the last LiteDB transaction (<see cref="Write"/>).</summary>
    public TimeSpan LastCommitDuration { get; private set; }

    /// <summary>Time spent in the last <see cref="MakeDurable"/>.</summary>
    public TimeSpan LastFlushDuration { get; private set; }

    /// <summary>
    /// Writes one turn as one record in a single LiteDB transaction: from then on it is read back by every query and
    /// survives a killed process, but not yet a power loss; nothing may be acknowledged on its account before
    /// <see cref="MakeDurable"/>. The tasks' documents follow behind the loop (<see cref="Materializer"/>). Must be
    /// called on one thread with no await inside: LiteDB transactions belong to the thread that opened them.
    /// </summary>
    /// <exception cref="InvalidOperationException">A task's document would pass <see cref="MaxDocumentBytes"/>; nothing was written.</exception>
    public void Write(IEnumerable<TaskSnapshot> changes, IEnumerable<KeyValuePair<Guid, string>> newPayloads)
    {
        var started = Stopwatch.GetTimestamp();
        ThrowIfBatchFailed();
        _known.StartRequestedBuild();
        var tasks = changes as IReadOnlyList<TaskSnapshot> ?? [.. changes];
        var payloads = newPayloads as IReadOnlyDictionary<Guid, string> ?? newPayloads.ToDictionary(p => p.Key, p => p.Value);
        var documents = new List<BsonDocument>(payloads.Count);
        var heads = new Dictionary<Guid, BsonDocument>(payloads.Count);
        var maxSequence = _lastSequence;
        try
        {
            foreach (var task in tasks)
            {
                maxSequence = Math.Max(maxSequence, task.Sequence);
                if (payloads.TryGetValue(task.Id, out var payload))
                {
                    // Large payloads go to files of their own, on disk before the record that names them.
                    documents.Add(_payloadFiles.Stage(task.Sequence, payload));
                    heads[task.Id] = HeadDocument(task.Sequence, payload);
                }
            }

            if (heads.Count != payloads.Count)
            {
                throw new InvalidOperationException("Every new payload must come with its task's first change.");
            }

            // Payloads are stored apart, in this transaction: written once, where they are read from; the record
            // stays a few hundred bytes per task, so the records a batch has yet to cover take little room.
            var turn = _materializer.LastTurn + 1;
            var record = TurnRecordCodec.Encode(new TurnRecord(turn, 0, DateTimeOffset.UtcNow, tasks, NoPayloads) { StoredApart = heads.Keys.ToHashSet() });
            if (record.Length > MaxDocumentBytes / 2 && Oversized(tasks) is { Count: > 0 } oversized)
            {
                // Checked here, since the documents are written later, where a failure could not fail the task.
                throw new InvalidOperationException($"Task {oversized[0].Id}'s document would be {oversized[0].Bytes} bytes, beyond the journal's limit of {MaxDocumentBytes}.");
            }

            _payloadFiles.WriteStaged();
            if (!_db.BeginTrans())
            {
                throw new InvalidOperationException("A journal transaction is already open on this thread.");
            }

            if (_upsertNext)
            {
                _payloads.Upsert(documents);
            }
            else
            {
                _payloads.Insert(documents);
            }

            _turns.Append(turn, record, replace: _upsertNext);

            _db.Commit();
            foreach (var id in heads.Keys)
            {
                _known.Add(id);
            }

            _materializer.Add(turn, tasks, heads);
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
    /// Replays, on open, the records after the materializer's mark: a killed scheduler's last turns, whose documents
    /// were not all written. Each is read against the tasks as they stood before it, into the carry, which the
    /// materializer's thread writes behind the restore.
    /// </summary>
    private int ReplayTurns()
    {
        var replayed = 0;
        foreach (var record in _turns.After(_materializer.MaterializedUpTo))
        {
            Replay(record);
            replayed++;
        }

        // The replayed tasks stay carried, for the materializer's thread to write: the restore reads them from the carry,
        // so dispatch does not wait for their documents.
        _replayedUpTo = _materializer.LastTurn;
        return replayed;
    }

    private void Replay(byte[] bytes)
    {
        var record = TurnRecordCodec.Decode(bytes, id => _materializer.Find(id) ?? FindDocument(id));
        var heads = new Dictionary<Guid, BsonDocument>();
        foreach (var task in record.Changes)
        {
            _lastSequence = Math.Max(_lastSequence, task.Sequence);
            string payload;
            if (record.Payloads.TryGetValue(task.Id, out var inline))
            {
                // A record that carries its payloads (a replicated one): stored now, as the writing turn would have.
                _payloads.Upsert(_payloadFiles.Stage(task.Sequence, inline));
                _payloadFiles.WriteStaged();
                payload = inline;
            }
            else if (record.StoredApart.Contains(task.Id))
            {
                payload = FindPayload(task.Sequence) ?? "";
            }
            else
            {
                continue;
            }

            _known.Add(task.Id);
            heads[task.Id] = HeadDocument(task.Sequence, payload);
        }

        _materializer.Add(record.Turn, record.Changes, heads);
    }

    /// <summary>
    /// Writes one batch of the materializer: new tasks with their heads, changed ones updated, and the
    /// mark, in one transaction; then drops the records the mark covers (a crash between the two only replays them).
    /// </summary>
    private void WriteBatch(MaterializedBatch batch)
    {
        ThrowIfBatchFailed();
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("A journal transaction is already open on this thread.");
        }

        try
        {
            var inserted = batch.Tasks.Where(t => t.Head is not null).ToList();
            var updated = batch.Tasks.Where(t => t.Head is null).Select(t => ToDocument(t.Task)).ToList();
            if (_upsertNextBatch || _materializer.MaterializedUpTo < _replayedUpTo)
            {
                _heads.Upsert(inserted.Select(t => t.Head!));
                _tasks.Upsert(inserted.Select(t => ToDocument(t.Task)));
            }
            else
            {
                _heads.Insert(inserted.Select(t => t.Head!));
                _tasks.Insert(inserted.Select(t => ToDocument(t.Task)));
            }

            if (_tasks.Update(updated) != updated.Count)
            {
                // A change to a task whose document is gone (deleted meanwhile): written whole rather than lost.
                _tasks.Upsert(updated);
            }

            _meta.Upsert(new BsonDocument { ["_id"] = 1, ["lastSequence"] = Math.Max(Volatile.Read(ref _lastSequence), _meta.FindById(1)?["lastSequence"].AsInt64 ?? 0) });
            _meta.Upsert(new BsonDocument { ["_id"] = MaterializedMetaId, ["upTo"] = batch.UpTo });
            _db.Commit();
            Interlocked.Add(ref _documentsInserted, inserted.Count);
            Interlocked.Add(ref _documentsUpdated, updated.Count);
            _upsertNextBatch = false;
        }
        catch (Exception failure)
        {
            try
            {
                _db.Rollback();
            }
            catch (Exception e) when (e is IOException or LiteException)
            {
                // The failure that caused the rollback is the one to report.
            }

            if (IsStorageFailure(failure))
            {
                _batchFailure = failure;
            }

            throw;
        }

        _turns.DeleteUpTo(batch.UpTo);

        // The loop puts LiteDB's checkpoint off while a batch runs (CheckpointIfDue), so a batch runs it between its
        // transactions when due: the log stays near its threshold and the loop does not wait for a batch. A data file
        // that cannot be fsynced after the copy leaves the instance unusable, as a failed write does.
        try
        {
            _checkpoint?.RunIfDue(_db, FlushData);
        }
        catch (IOException e)
        {
            _batchFailure = e;
            throw;
        }
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

    /// <summary>The task as last committed: from the materializer's carry, else its document (when its id may be there).</summary>
    public TaskSnapshot? Find(Guid id) => _materializer.Find(id) ?? (_known.MightContain(id) ? Reading(() => FindDocument(id)) : null);

    private TaskSnapshot? FindDocument(Guid id) => _tasks.FindById(id) is { } document ? FromDocument(document) : null;

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
        [.. ids.Select(Find).OfType<TaskSnapshot>()];

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
    public string? FindPayload(long sequence) =>
        Reading(() => _payloads.FindById(sequence)) is { } document ? _payloadFiles.Read(document) : null;

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
        ThrowIfBatchFailed();
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

                // A task changed since its document was written (resubmitted, say) is judged once it is written.
                var due = _tasks.Find(JournalQuery.Between(OutcomeAtField, $"{outcome}/", KeyBound(outcome, policy.Cutoff(outcome, now))), 0, max - tasks)
                    .Where(task => !_materializer.Holds(task["_id"].AsGuid))
                    .ToList();
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
    public IEnumerable<TaskSnapshot> LoadRunning()
    {
        var carried = CarriedTasks();
        return [.. _tasks.Find(JournalQuery.StartsWith(ListKeys.StateField, ListKeys.StatePrefix(TaskState.Running)))
            .Select(FromDocument)
            .Where(t => !carried.ContainsKey(t.Id))
            .Concat(carried.Values.Where(t => t.State == TaskState.Running))];
    }

    /// <summary>
    /// At most <paramref name="max"/> Pending tasks in dispatch order (highest priority first, then oldest
    /// acceptance), from the one after <paramref name="after"/> (null: from the first), read by the queue index.
    /// </summary>
    public IReadOnlyList<TaskSnapshot> LoadPending(PendingEntry? after, int max)
    {
        var carried = CarriedTasks();
        if (carried.Count == 0)
        {
            return [.. _tasks.Find(AfterQueueKey(after), 0, max).Select(FromDocument)];
        }

        // Documents a carried task supersedes are skipped, so read as many more as there are carried tasks that
        // have a document (a task whose insert still waits has none).
        var superseded = carried.Keys.Count(id => !_materializer.AwaitsInsert(id));
        return [.. _tasks.Find(AfterQueueKey(after), 0, max + superseded)
            .Select(FromDocument)
            .Where(t => !carried.ContainsKey(t.Id))
            .Concat(carried.Values.Where(t => t.State == TaskState.Pending))
            .Select(t => (Task: t, Entry: new PendingEntry(t.Priority, t.Sequence, t.Id)))
            .Where(t => after is not { } a || PendingEntry.DispatchOrder.Compare(t.Entry, a) > 0)
            .OrderBy(t => t.Entry, PendingEntry.DispatchOrder)
            .Take(max)
            .Select(t => t.Task)];
    }

    /// <summary>How many Pending tasks the journal holds, counted by the queue index (any thread).</summary>
    public long CountPending()
    {
        var carried = CarriedTasks();
        // The documents' count and the new tasks still carried (close enough for progress: a carried task that has a
        // document and is no longer Pending is still counted).
        return _tasks.LongCount(AfterQueueKey(null)) + carried.Values.LongCount(t => t.State == TaskState.Pending && _materializer.AwaitsInsert(t.Id));
    }

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
    public TaskPage List(TaskListFilter filter) => Reading(() => CaughtUp(() => _listing.List(filter)));

    /// <summary>The tasks that name <paramref name="id"/> among their dependencies, from the dependency index.</summary>
    public IEnumerable<TaskSnapshot> Dependents(Guid id) => CaughtUp(() =>
        _tasks.Find(BsonExpression.Create("$.dependsOn[*] ANY = @0", new BsonValue(id))).Select(FromDocument).ToList());

    /// <summary>
    /// Writes the documents of every committed turn now, as the materializer does within <see cref="Materializer.Window"/>:
    /// expiry judges written documents only, so a task finished a moment ago waits for the next slice.
    /// </summary>
    public void CatchUp() => _materializer.CatchUp();

    /// <summary>Runs one batch of the materializer now (finished tasks and those a window old), as its thread does.</summary>
    internal void WriteDueDocuments() => _materializer.WriteDue();

    /// <summary>How many tasks wait for their documents.</summary>
    internal int Carried => _materializer.Carried;

    /// <inheritdoc/>
    public JournalDocuments Documents =>
        new(_materializer.Carried, Interlocked.Read(ref _documentsInserted), Interlocked.Read(ref _documentsUpdated));

    /// <summary>Refuses to write to the instance a failed batch left unusable, with that failure's words, until <see cref="Reopen"/>.</summary>
    private void ThrowIfBatchFailed()
    {
        if (_batchFailure is { } failure)
        {
            throw new IOException(failure.Message, failure);
        }
    }

    /// <summary>A disk that refuses a write, or the LiteDB instance such a write left unusable until <see cref="Reopen"/>.</summary>
    private static bool IsStorageFailure(Exception e) => JournalOutage.IsStorageFailure(e) || e is LiteException;

    /// <summary>
    /// A read from another thread than the loop (a status query, the list) that met the LiteDB instance a
    /// <see cref="Reopen"/> is replacing: read again from the new instance, with reopens held off meanwhile (a reopen
    /// runs with no batch in progress), rather than answer the reader with a failure.
    /// </summary>
    private T Reading<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is ObjectDisposedException or LiteException { ErrorCode: LiteException.ENGINE_DISPOSED })
        {
            var result = default(T)!;
            _materializer.Exclusive(() => result = read());
            return result;
        }
    }

    /// <summary>
    /// A query of the documents' indexes, after every committed turn is written to them; while the disk refuses that
    /// (a full disk), of the documents as they are.
    /// </summary>
    private T CaughtUp<T>(Func<T> query)
    {
        try
        {
            _materializer.CatchUp();
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            // The documents as they are; the next batch tries again.
        }

        return query();
    }

    /// <summary>
    /// The tasks whose latest state waits in the carry, which the restore's reads take in place of their documents, so
    /// that nothing committed is missed without writing the carry first: a restart after a kill in a burst (up to
    /// <see cref="Materializer.MaxWaiting"/> waiting tasks) and a new leader dispatch before those documents are written.
    /// </summary>
    private Dictionary<Guid, TaskSnapshot> CarriedTasks()
    {
        var carried = new Dictionary<Guid, TaskSnapshot>();
        foreach (var id in _materializer.CarriedIds())
        {
            if (_materializer.Find(id) is { } task)
            {
                carried[id] = task;
            }
        }

        return carried;
    }

    /// <summary>
    /// Deletes a task with its payload, in one transaction; true when there was one. Loop thread only, like
    /// <see cref="Write"/>; the delete becomes durable with the next <see cref="MakeDurable"/>.
    /// </summary>
    public bool Delete(Guid id)
    {
        _materializer.CatchUp();
        ThrowIfBatchFailed();
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
        // Registered under three services, the container disposes it three times: the first does the work.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _materializer.Dispose();
        try
        {
            if (!_closed)
            {
                // A clean stop leaves no record to replay (and a file an older version reads whole).
                _materializer.CatchUp();
            }
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            // A full disk: the records stay, and the next start replays them.
        }

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
    private static (LiteDatabase, ILiteCollection<BsonDocument>, ILiteCollection<BsonDocument>, ILiteCollection<BsonDocument>, ILiteCollection<BsonDocument>, LiteTurnLog) Open(
        string path)
    {
        var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        return (db, db.GetCollection(TasksCollection, BsonAutoId.Guid), db.GetCollection(PayloadsCollection, BsonAutoId.Guid),
            db.GetCollection(MetaCollection, BsonAutoId.Int32), db.GetCollection(HeadsCollection, BsonAutoId.Int64),
            new LiteTurnLog(db.GetCollection(LiteTurnLog.Collection, BsonAutoId.Int64)));
    }

    /// <summary>LiteDB's checkpoints between turns (<see cref="CheckpointIfDue"/>), or null when LiteDB runs them in its commits.</summary>
    public JournalCheckpoint? Checkpoints => _checkpoint;

    /// <inheritdoc cref="IJournal.CheckpointIfDue"/>
    public TimeSpan? CheckpointIfDue()
    {
        if (_closed || _batchFailure is not null || _checkpoint is not { IsDue: true } checkpoint)
        {
            return null;
        }

        // A checkpoint needs the file to itself, so it would wait out a batch's transactions on the loop's thread (186 ms
        // at the median, docs/benchmarks.md): while a batch is written, the batch runs it between its transactions.
        return _materializer.IfNoBatch(() => checkpoint.RunIfDue(_db, FlushData));
    }

    private void FlushData()
    {
        if (_durable)
        {
            FileDurability.Flush(_dataPath);
        }
    }

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
