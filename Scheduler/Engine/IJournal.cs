using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Core.Retention;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// What the engine needs of the journal (Journal/TaskJournal): write a turn in one transaction on the loop's
/// thread, make everything written durable from the delivery side, and look up what the core does not hold.
/// </summary>
public interface IJournal
{
    /// <summary>The largest task document the journal can store, in bytes.</summary>
    long MaxDocumentBytes { get; }

    /// <summary>Time spent in the last <see cref="Write"/>.</summary>
    TimeSpan LastCommitDuration { get; }

    /// <summary>Time spent in the last <see cref="MakeDurable"/>.</summary>
    TimeSpan LastFlushDuration { get; }

    /// <summary>Writes one turn in one transaction: read back from then on, but durable only after <see cref="MakeDurable"/>.</summary>
    void Write(IEnumerable<TaskSnapshot> changes, IEnumerable<KeyValuePair<Guid, string>> newPayloads);

    /// <summary>Puts everything written so far on disk; one call covers every turn written before it.</summary>
    void MakeDurable();

    /// <summary>
    /// Opens the journal afresh after a write failed (a full disk, an I/O error), so that the next write can succeed
    /// once the disk can take it; throws while it cannot be opened (<see cref="JournalOutage"/>).
    /// </summary>
    void Reopen();

    TaskSnapshot? Find(Guid id);

    /// <summary>
    /// What the journal holds of these tasks, looked up one by one (LiteDB 5 scans for <c>IN</c>), skipping the ids it
    /// knows it never held; an id not found is left out.
    /// </summary>
    IEnumerable<TaskSnapshot> FindMany(IReadOnlyCollection<Guid> ids);

    /// <summary>The payload of the task accepted as <paramref name="sequence"/>.</summary>
    string? FindPayload(long sequence);

    /// <summary>The tasks whose documents are too large to store, with their size; asked only after a failed write.</summary>
    IReadOnlyList<(Guid Id, long Bytes)> Oversized(IEnumerable<TaskSnapshot> changes);

    /// <summary>Deletes, in one transaction, at most <paramref name="max"/> finished tasks (and payloads) past their retention.</summary>
    ExpirySlice Expire(RetentionPolicy policy, DateTimeOffset now, int max);

    /// <summary>Every task not yet Completed, Failed or Cancelled.</summary>
    IEnumerable<TaskSnapshot> LoadUnfinished();

    /// <summary>Every Running task (what a restore loads before it dispatches anything).</summary>
    IEnumerable<TaskSnapshot> LoadRunning() => LoadUnfinished().Where(t => t.State != Contracts.TaskState.Pending);

    /// <summary>
    /// At most <paramref name="max"/> Pending tasks in dispatch order, from the one after <paramref name="after"/>
    /// (null: from the first).
    /// </summary>
    IReadOnlyList<TaskSnapshot> LoadPending(PendingEntry? after, int max) =>
        [.. LoadUnfinished()
            .Where(t => t.State == Contracts.TaskState.Pending)
            .Select(t => (Task: t, Entry: new PendingEntry(t.Priority, t.Sequence, t.Id)))
            .Where(t => after is not { } a || PendingEntry.DispatchOrder.Compare(t.Entry, a) > 0)
            .OrderBy(t => t.Entry, PendingEntry.DispatchOrder)
            .Take(max)
            .Select(t => t.Task)];

    /// <summary>How many Pending tasks the journal holds; any thread.</summary>
    long CountPending() => LoadUnfinished().LongCount(t => t.State == Contracts.TaskState.Pending);

    /// <summary>The tasks that name <paramref name="id"/> among their dependencies.</summary>
    IEnumerable<TaskSnapshot> Dependents(Guid id);

    /// <summary>Deletes a finished task with its payload, in one transaction on the loop's thread; true when there was one.</summary>
    bool Delete(Guid id);

    /// <summary>
    /// Between turns, once the last one is handed to delivery: lets the journal do housekeeping it keeps off the
    /// turn's own write (LiteDB's checkpoint, <c>Journal/JournalCheckpoint</c>). Returns how long it took, or null
    /// when there was none to do.
    /// </summary>
    TimeSpan? CheckpointIfDue() => null;

    /// <summary>How far the task documents are behind the committed turns; any thread.</summary>
    JournalDocuments Documents => default;

    /// <summary>The highest acceptance sequence ever committed.</summary>
    long LastSequence();
}
