using System.Collections.Concurrent;
using System.Diagnostics;
using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// Folds committed turn records into task documents behind the loop (docs/architecture.md, "The journal's next
/// shape"). The loop's commit appends one record per turn (and stores new payloads); what the turns changed waits
/// here, in the <em>carry</em> (the latest state of each task touched since the last batch, with the list's head of
/// each task whose document is still to be inserted), where readers look first. A batch, on a thread of its own every <see cref="Window"/> or once <see cref="MaxTasks"/>
/// tasks wait, writes every finished task once (the flow: a task that lives less than a window is one insert), lets
/// up to <see cref="MaxWaiting"/> unfinished tasks wait on for their end for up to <see cref="LongWait"/> (a burst:
/// each task still one insert), and writes the rest as they stand (the backlog), then records up to which turn the
/// documents are complete, so that a restart replays only the records after it. Readers that query the documents'
/// indexes (the list, dependents, a delete) first call <see cref="CatchUp"/>, which writes the whole carry; the
/// restore takes the carried tasks in place of their documents instead, so a restart does not wait for them.
/// </summary>
internal sealed class Materializer : IDisposable
{
    /// <summary>How long a task's change waits in the carry, by default, before its document is written anyway.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(1);

    /// <summary>How many waiting tasks start a batch before the window is up.</summary>
    public const int MaxTasks = 5_000;

    /// <summary>The most tasks one transaction of a batch writes.</summary>
    public const int MaxBatchTasks = 1_000;

    /// <summary>How many unfinished tasks may wait in the carry past the window, by default (<see cref="MaxWaiting"/>).</summary>
    public const int DefaultMaxWaiting = 10_000;

    /// <summary>How long an unfinished task may wait in the carry, by default (<see cref="LongWait"/>).</summary>
    public static readonly TimeSpan DefaultLongWait = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, CarriedTask> _tasks = new();
    private readonly Lock _gate = new();
    private readonly Action<MaterializedBatch> _write;
    private readonly AutoResetEvent _nudge = new(false);
    private Thread? _thread;
    private volatile bool _stopping;
    private long _lastTurn;

    // The carry's size that wakes the next batch: MaxTasks more than the last batch left (young tasks not yet due),
    // so that a burst wakes it once per MaxTasks new tasks rather than at every turn to look at the same ones again.
    private int _nextBatchAt = MaxTasks;

    /// <param name="write">Writes one batch: its tasks' documents and the mark, in one transaction.</param>
    /// <param name="materializedUpTo">The turn up to which the documents are complete, as the journal last recorded it.</param>
    /// <param name="window">How long a change may wait (<see cref="DefaultWindow"/>).</param>
    /// <param name="maxWaiting">How many unfinished tasks may stay carried past the window (<see cref="DefaultMaxWaiting"/>).</param>
    /// <param name="longWait">How long an unfinished task may stay carried (<see cref="DefaultLongWait"/>), at least the window.</param>
    public Materializer(Action<MaterializedBatch> write, long materializedUpTo, TimeSpan window, int maxWaiting = DefaultMaxWaiting, TimeSpan? longWait = null)
    {
        _write = write;
        Window = window;
        MaxWaiting = maxWaiting;
        LongWait = longWait is { } wait && wait > window ? wait : (DefaultLongWait > window ? DefaultLongWait : window);
        MaterializedUpTo = materializedUpTo;
        _lastTurn = materializedUpTo;
    }

    /// <summary>How long a finished task's change may wait in the carry before its document is written.</summary>
    public TimeSpan Window { get; }

    /// <summary>
    /// How many unfinished tasks may stay carried once they are a window old. A burst that drains within
    /// <see cref="LongWait"/> is then written once per task, finished, instead of inserted waiting and updated when it
    /// ends (twice the index work); beyond this many, the oldest are written as they stand, so the carry, a restart's
    /// replay and a list's catch-up stay bounded.
    /// </summary>
    public int MaxWaiting { get; }

    /// <summary>
    /// How long an unfinished task may stay carried: a long-running or long-waiting task is then written as it stands,
    /// so that it does not hold back the mark (and the records after it) for its whole life.
    /// </summary>
    public TimeSpan LongWait { get; }

    /// <summary>The turn up to which every task document is complete; records after it are replayed on open.</summary>
    public long MaterializedUpTo { get; private set; }

    /// <summary>The last turn added.</summary>
    public long LastTurn => Volatile.Read(ref _lastTurn);

    /// <summary>How many tasks wait in the carry.</summary>
    public int Carried => _tasks.Count;

    /// <summary>The last batch's failure (a full disk), or null once a batch succeeds again.</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>Starts the thread that writes batches behind the loop.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "journal materializer" };
        _thread.Start();
    }

    /// <summary>Adds a committed turn: its tasks as they now stand, and the list's heads of those it accepted.</summary>
    public void Add(long turn, IReadOnlyList<TaskSnapshot> changes, IReadOnlyDictionary<Guid, BsonDocument> heads)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var task in changes)
        {
            _tasks.AddOrUpdate(
                task.Id,
                static (_, added) => new CarriedTask(added.Task, added.Turn, added.Now, added.Insert),
                static (_, carried, added) => new CarriedTask(added.Task, carried.FirstTurn, carried.Since, added.Insert ?? carried.Insert),
                (Task: task, Turn: turn, Now: now, Insert: heads.TryGetValue(task.Id, out var head) ? new PendingInsert(head) : null));
        }

        Volatile.Write(ref _lastTurn, turn);
        if (_tasks.Count >= Volatile.Read(ref _nextBatchAt) && !_stopping)
        {
            _nudge.Set();
        }
    }

    /// <summary>The task as its last committed turn left it, when its document is not yet written.</summary>
    public TaskSnapshot? Find(Guid id) => _tasks.TryGetValue(id, out var carried) ? carried.Task : null;

    /// <summary>The ids of the tasks that wait for their documents, as they are now (a copy).</summary>
    public IReadOnlyCollection<Guid> CarriedIds() => [.. _tasks.Keys];

    /// <summary>True while a change of the task waits for its document.</summary>
    public bool Holds(Guid id) => _tasks.ContainsKey(id);

    /// <summary>True while the task's document is still to be inserted (a task accepted since the last batch).</summary>
    public bool AwaitsInsert(Guid id) => _tasks.TryGetValue(id, out var carried) && carried.Head is not null;

    /// <summary>Writes the whole carry now, so that the documents and their indexes show every committed turn.</summary>
    public void CatchUp() => Materialize(all: true);

    /// <summary>Writes what a batch writes now: finished tasks and those a window old.</summary>
    public void WriteDue() => Materialize(all: false);

    /// <summary>Runs <paramref name="action"/> with no batch in progress (reopening the file after a failed write).</summary>
    public void Exclusive(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> now if no batch is in progress, else not at all (null), so that a caller on the
    /// loop's thread never waits out a batch's transactions.
    /// </summary>
    public TimeSpan? IfNoBatch(Func<TimeSpan?> action)
    {
        if (!_gate.TryEnter())
        {
            return null;
        }

        try
        {
            return action();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Writes what is due (<paramref name="all"/>: everything) in one batch. A task changed again while the batch was
    /// written stays carried with its newer state; the mark stays before the first turn of any task still carried.
    /// </summary>
    private void Materialize(bool all)
    {
        lock (_gate)
        {
            var lastTurn = LastTurn;
            var now = Stopwatch.GetTimestamp();
            var due = new List<KeyValuePair<Guid, CarriedTask>>();
            var waiting = new List<KeyValuePair<Guid, CarriedTask>>();
            var firstKept = lastTurn + 1;
            foreach (var entry in _tasks)
            {
                var carried = entry.Value;
                if (carried.FirstTurn > lastTurn)
                {
                    continue; // Added after this batch looked: the next batch's.
                }

                var age = Stopwatch.GetElapsedTime(carried.Since, now);
                if (all || carried.Task.State.IsFinal() || age >= LongWait)
                {
                    due.Add(entry);
                }
                else if (age >= Window)
                {
                    waiting.Add(entry);
                }
                else
                {
                    firstKept = Math.Min(firstKept, carried.FirstTurn);
                }
            }

            // Unfinished tasks a window old wait on for their end, the newest MaxWaiting of them; older ones are written.
            if (waiting.Count > MaxWaiting)
            {
                waiting.Sort(static (a, b) => a.Value.Since.CompareTo(b.Value.Since));
                due.AddRange(waiting.Take(waiting.Count - MaxWaiting));
                waiting.RemoveRange(0, waiting.Count - MaxWaiting);
            }

            foreach (var entry in waiting)
            {
                firstKept = Math.Min(firstKept, entry.Value.FirstTurn);
            }

            var upTo = firstKept - 1;
            Volatile.Write(ref _nextBatchAt, _tasks.Count - due.Count + MaxTasks);
            if (due.Count == 0 && upTo <= MaterializedUpTo)
            {
                return;
            }

            // In transactions of bounded size, so that a backlog (thousands of tasks with long histories) never needs
            // more log than a small disk has: LiteDB copies its log into the file between them. The mark moves with
            // the last; a crash between two replays the records again, over the documents already written.
            var chunks = due.Chunk(MaxBatchTasks).ToList();
            for (var i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                _write(new MaterializedBatch([.. chunk.Select(t => t.Value)], i == chunks.Count - 1 ? Math.Max(upTo, MaterializedUpTo) : MaterializedUpTo));
                foreach (var entry in chunk)
                {
                    // A task changed meanwhile stays carried with its newer state, to be updated: inserted once.
                    entry.Value.Insert?.Done();
                    _tasks.TryRemove(entry);
                }
            }

            MaterializedUpTo = Math.Max(upTo, MaterializedUpTo);
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            _nudge.WaitOne(Window);
            if (_stopping)
            {
                break;
            }

            try
            {
                Materialize(all: false);
                LastFailure = null;
            }
            catch (Exception e) when (e is IOException or LiteException or InvalidOperationException or UnauthorizedAccessException)
            {
                // A full or failing disk: the loop's next write meets it too and waits it out (JournalOutage, which
                // reopens the file); the carry keeps every change meanwhile, and the next batch tries again.
                LastFailure = e;
            }
        }
    }

    /// <summary>Stops the thread; the journal then writes the whole carry (<see cref="CatchUp"/>) before it closes.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return; // A host that fails to start may dispose the journal twice.
        }

        _stopping = true;
        _nudge.Set();
        _thread?.Join();
        _nudge.Dispose();
    }
}

/// <summary>
/// A task as the turns left it, waiting for its document since the turn <c>FirstTurn</c>, added at <c>Since</c> (a
/// <see cref="Stopwatch"/> timestamp), with its <see cref="PendingInsert"/> while it is new. A class, not a record:
/// the batch removes exactly the entry it wrote.
/// </summary>
internal sealed class CarriedTask(TaskSnapshot task, long firstTurn, long since, PendingInsert? insert)
{
    public TaskSnapshot Task { get; } = task;

    public long FirstTurn { get; } = firstTurn;

    public long Since { get; } = since;

    /// <summary>Shared by every later state of the task, so that once one is inserted the next ones are updates.</summary>
    public PendingInsert? Insert { get; } = insert;

    /// <summary>The list's head of the task's payload while its document is still to be inserted; null once it is (an update).</summary>
    public BsonDocument? Head => Insert is { IsDone: false } pending ? pending.Head : null;
}

/// <summary>A new task's document still to be inserted, with the list's head of its payload.</summary>
internal sealed class PendingInsert(BsonDocument head)
{
    private volatile bool _done;

    public BsonDocument Head { get; } = head;

    public bool IsDone => _done;

    /// <summary>The batch that inserted the document has committed.</summary>
    public void Done() => _done = true;
}

/// <summary>One batch of documents: each task, inserted with its head when it carries one, else updated.</summary>
/// <param name="UpTo">The turn up to which the documents are complete once this batch commits.</param>
internal sealed record MaterializedBatch(IReadOnlyList<CarriedTask> Tasks, long UpTo);
