using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// The journal's commit path: one record per turn, the task documents written behind the loop. What a killed scheduler
/// committed is all there after a restart, read back as committed, whether or not its documents were written.
/// A killed process is its files copied while the journal is open: what is on disk, with nothing closed cleanly.
/// </summary>
public class TaskJournalTurnsTests : TempDirectoryTests
{
    private const int Threshold = 1024;

    private static readonly DateTimeOffset Submitted = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Long enough that no batch runs by itself while a test looks.</summary>
    private static readonly TimeSpan NoBatches = TimeSpan.FromHours(1);

    private string Path => System.IO.Path.Combine(TestDirectory, "journal.db");

    [Test]
    public void ACommittedTurn_IsReadBack_BeforeItsDocumentsAreWritten_AndTheListShowsIt()
    {
        using var journal = new TaskJournal(Path, materializeWindow: NoBatches);
        var task = Snapshot(sequence: 1);
        journal.Commit([task], [new(task.Id, "resize image 1")]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Carried, Is.EqualTo(1), "its document waits for the next batch");
            Assert.That(journal.Find(task.Id), Is.EqualTo(task));
            Assert.That(journal.FindPayload(task.Sequence), Is.EqualTo("resize image 1"));
            Assert.That(journal.History(task.Id), Is.Not.Empty);
            Assert.That(journal.List(new TaskListFilter()).Tasks.Select(t => t.Id), Is.EqualTo(new[] { task.Id }), "a list writes what waits first");
            Assert.That(journal.Carried, Is.Zero);
            Assert.That(journal.Find(task.Id), Is.EqualTo(task), "read back from its document now");
        }
    }

    [Test]
    public void APlainTask_IsInsertedOnce_Finished_WhileATaskWrittenAsItWaited_IsInsertedThenUpdated()
    {
        using var journal = new TaskJournal(Path, materializeWindow: NoBatches);
        var (plain, waiting) = (Snapshot(sequence: 1), Snapshot(sequence: 2));
        journal.Commit([plain, waiting], [new(plain.Id, "one"), new(waiting.Id, "two")]);
        journal.Commit([Completed(plain)], []);

        journal.WriteDueDocuments();
        var plainWritten = journal.Documents;
        journal.CatchUp(); // as a batch does once the waiting task is older than the window
        journal.Commit([Completed(waiting)], []);
        journal.WriteDueDocuments();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plainWritten, Is.EqualTo(new JournalDocuments(Carried: 1, Inserted: 1, Updated: 0)), "the plain task's one insert; the waiting one still carried");
            Assert.That(journal.Documents, Is.EqualTo(new JournalDocuments(Carried: 0, Inserted: 2, Updated: 1)));
            Assert.That(journal.Find(waiting.Id)!.State, Is.EqualTo(TaskState.Completed));
        }
    }

    [Test]
    public void TheKnownIdsFilter_BuiltWhileTasksWaitForTheirDocuments_KnowsThem()
    {
        using var journal = new TaskJournal(Path, materializeWindow: NoBatches);
        var (written, carried) = (Snapshot(sequence: 1), Snapshot(sequence: 2));
        journal.Commit([written], [new(written.Id, "one")]);
        journal.CatchUp();
        journal.Commit([carried], [new(carried.Id, "two")]);

        journal.KnownIds.Build();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.KnownIds.Filter, Is.Not.Null);
            Assert.That(journal.KnownIds.MightContain(written.Id), Is.True);
            Assert.That(journal.KnownIds.MightContain(carried.Id), Is.True, "a duplicate of a task committed a moment ago is still found");
            Assert.That(journal.Find(carried.Id), Is.EqualTo(carried));
        }
    }

    [Test]
    public void AKilledSchedulersLastTurns_AreReplayedOnOpen_AsCommitted_WithTheirPayloads()
    {
        var large = new string('L', 5000);
        var (small, big, later) = (Snapshot(sequence: 1), Snapshot(sequence: 2), Snapshot(sequence: 3));
        var running = small with
        {
            State = TaskState.Running, Attempts = 1, WorkerId = "w1", AssignedAt = Submitted.AddSeconds(1),
            History = [new TaskHistoryEntry(Submitted.AddSeconds(1), TaskHistoryEvents.Assigned, "w1", 1, null)],
        };
        var completed = big with { State = TaskState.Completed, Attempts = 1, WorkerId = "w2", FinishedAt = Submitted.AddSeconds(2), Result = "done" };
        string killed;
        using (var journal = new TaskJournal(Path, largePayloadChars: Threshold, materializeWindow: NoBatches))
        {
            journal.Commit([small, big], [new(small.Id, "resize image 1"), new(big.Id, large)]);
            journal.Commit([running, completed], []);
            journal.Commit([later], [new(later.Id, "resize image 3")]);
            Assert.That(journal.Carried, Is.EqualTo(3), "nothing written as documents before the kill");
            killed = CopyFilesAsAKillLeavesThem();
        }

        using var restarted = new TaskJournal(killed, largePayloadChars: Threshold);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(restarted.ReplayedTurns, Is.EqualTo(3));
            AssertSame(restarted.Find(small.Id), running);
            Assert.That(restarted.Find(big.Id), Is.EqualTo(completed));
            Assert.That(restarted.Find(later.Id), Is.EqualTo(later));
            Assert.That(restarted.FindPayload(small.Sequence), Is.EqualTo("resize image 1"));
            Assert.That(restarted.FindPayload(big.Sequence), Is.EqualTo(large), "from its file, which the record names");
            Assert.That(restarted.LoadRunning().Select(t => t.Id), Is.EqualTo(new[] { small.Id }));
            Assert.That(restarted.CountPending(), Is.EqualTo(1));
            Assert.That(restarted.LastSequence(), Is.EqualTo(3));
            Assert.That(restarted.Carried, Is.EqualTo(3), "opening leaves the replayed tasks carried, where the restore reads them");
            Assert.That(restarted.LoadPending(null, 10).Select(t => t.Id), Is.EqualTo(new[] { later.Id }), "the restore's pending read, from the carry");
        }

        restarted.CatchUp();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(restarted.Carried, Is.Zero, "the materializer writes every replayed task's document");
            Assert.That(restarted.Database.GetCollection("turns").Count(), Is.Zero, "and drops the records it covered");
            AssertSame(restarted.Find(small.Id), running);
            Assert.That(restarted.LoadPending(null, 10).Select(t => t.Id), Is.EqualTo(new[] { later.Id }), "the same read, from the documents");
        }
    }

    [Test]
    public void AFinishedTask_IsWrittenBeforeAnOlderWaitingOne_AndAReplayOverItsDocument_LeavesEachTaskAtItsLatestState()
    {
        var (waiting, quick) = (Snapshot(sequence: 1), Snapshot(sequence: 2));
        var done = quick with { State = TaskState.Completed, Attempts = 1, WorkerId = "w1", FinishedAt = Submitted.AddSeconds(1) };
        var started = waiting with { State = TaskState.Running, Attempts = 1, WorkerId = "w2", AssignedAt = Submitted.AddSeconds(2) };
        string killed;
        using (var journal = new TaskJournal(Path, materializeWindow: NoBatches))
        {
            journal.Commit([waiting], [new(waiting.Id, "long wait")]);
            journal.Commit([quick], [new(quick.Id, "quick")]);
            journal.Commit([done], []);
            journal.WriteDueDocuments();
            Assert.That(journal.Carried, Is.EqualTo(1), "the finished task is written, the waiting one not yet");
            journal.Commit([started], []);
            killed = CopyFilesAsAKillLeavesThem();
        }

        using var restarted = new TaskJournal(killed);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(restarted.ReplayedTurns, Is.EqualTo(4), "every turn after the oldest one still carried");
            Assert.That(restarted.Find(done.Id), Is.EqualTo(done));
            Assert.That(restarted.Find(started.Id), Is.EqualTo(started));
            Assert.That(restarted.FindPayload(quick.Sequence), Is.EqualTo("quick"));
            Assert.That(restarted.FindPayload(waiting.Sequence), Is.EqualTo("long wait"));
        }
    }

    [Test]
    public void ACleanClose_WritesEveryDocument_AndLeavesNoRecord_SoTheNextOpenReplaysNothing()
    {
        var tasks = Enumerable.Range(1, 50).Select(i => Snapshot(sequence: i)).ToList();
        using (var journal = new TaskJournal(Path, materializeWindow: NoBatches))
        {
            foreach (var turn in tasks.Chunk(10))
            {
                journal.Commit(turn, turn.Select(t => new KeyValuePair<Guid, string>(t.Id, $"payload {t.Sequence}")));
            }
        }

        using (var file = new LiteDatabase(Path))
        {
            Assert.That(file.GetCollection("turns").Count(), Is.Zero);
            Assert.That(file.GetCollection("tasks").Count(), Is.EqualTo(50), "a version before records reads this file whole");
        }

        using var reopened = new TaskJournal(Path);
        Assert.That(reopened.ReplayedTurns, Is.Zero);
        Assert.That(reopened.LoadPending(null, 100), Has.Count.EqualTo(50));
    }

    [Test]
    public void AJournalWrittenBeforeRecords_OpensAsItIs_AndTakesNewTurns()
    {
        var old = Snapshot(sequence: 1);
        using (var journal = new TaskJournal(Path))
        {
            journal.Commit([old], [new(old.Id, "from an older version")]);
        }

        using (var file = new LiteDatabase(Path))
        {
            // What an older version leaves: no records and no materializer's mark.
            file.DropCollection("turns");
            file.GetCollection("meta").Delete(5);
        }

        var next = Snapshot(sequence: 2);
        using (var journal = new TaskJournal(Path, materializeWindow: NoBatches))
        {
            Assert.That(journal.Find(old.Id), Is.EqualTo(old));
            journal.Commit([next], [new(next.Id, "new")]);
            CopyFilesAsAKillLeavesThem();
        }

        using var killed = new TaskJournal(System.IO.Path.Combine(TestDirectory, "killed", "journal.db"));
        Assert.That(killed.ReplayedTurns, Is.EqualTo(1));
        Assert.That(killed.LoadPending(null, 10).Select(t => t.Id), Is.EqualTo(new[] { old.Id, next.Id }));
    }

    [Test]
    public void AnAcceptedPayload_IsStoredOnceByItsTurn_AndTheRecordOnlyNamesIt()
    {
        var payload = new string('p', PayloadStore.DefaultThresholdChars - 1);
        using var journal = new TaskJournal(Path, durable: false, materializeWindow: NoBatches);
        var task = Snapshot(sequence: 1);
        journal.Commit([task], [new(task.Id, payload)]);

        var record = journal.Database.GetCollection("turns").FindAll().Single()["r"].AsBinary;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Database.GetCollection("payloads").Count(), Is.EqualTo(1), "stored by the turn, not left for a batch");
            Assert.That(record, Has.Length.LessThan(1000), "a 32 K payload is not written a second time into the record");
            Assert.That(journal.FindPayload(task.Sequence), Is.EqualTo(payload));
        }
    }

    [Test]
    public void ARecordLargerThanADocumentPart_IsStoredInParts_AndReplayed()
    {
        // 150 finished tasks with results of 40,000 characters: a record of about 6 MB, beyond one part of 4 MiB.
        var result = new string('r', 40_000);
        var tasks = Enumerable.Range(1, 150).Select(i => Snapshot(sequence: i)).ToList();
        var finished = tasks.Select(t => t with { State = TaskState.Completed, Attempts = 1, WorkerId = "w1", FinishedAt = Submitted.AddSeconds(1), Result = result }).ToList();
        string killed;
        using (var journal = new TaskJournal(Path, durable: false, materializeWindow: NoBatches))
        {
            journal.Commit(tasks, tasks.Select(t => new KeyValuePair<Guid, string>(t.Id, "resize")));
            journal.Commit(finished, []);
            Assert.That(journal.Database.GetCollection("turns").Count(), Is.EqualTo(3), "the first turn's record in one part, the second's in two");
            killed = CopyFilesAsAKillLeavesThem();
        }

        using var restarted = new TaskJournal(killed, durable: false);
        Assert.That(restarted.ReplayedTurns, Is.EqualTo(2));
        Assert.That(restarted.Find(tasks[^1].Id)?.Result, Is.EqualTo(result));
        Assert.That(restarted.FindPayload(150), Is.EqualTo("resize"));
    }

    /// <summary>The journal's files as they are on disk now, copied to <c>killed/</c>: what a kill -9 leaves.</summary>
    private string CopyFilesAsAKillLeavesThem()
    {
        var target = System.IO.Path.Combine(TestDirectory, "killed");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(TestDirectory))
        {
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)), overwrite: true);
        }

        var payloads = PayloadStore.DirectoryBeside(Path);
        var copiedPayloads = PayloadStore.DirectoryBeside(System.IO.Path.Combine(target, "journal.db"));
        Directory.CreateDirectory(copiedPayloads);
        foreach (var file in Directory.GetFiles(payloads))
        {
            File.Copy(file, System.IO.Path.Combine(copiedPayloads, System.IO.Path.GetFileName(file)), overwrite: true);
        }

        return System.IO.Path.Combine(target, "journal.db");
    }

    /// <summary>The same task: every field, and the history entry by entry (a record compares lists by reference).</summary>
    private static void AssertSame(TaskSnapshot? actual, TaskSnapshot expected)
    {
        Assert.That(actual, Is.Not.Null);
        Assert.That(actual! with { History = expected.History }, Is.EqualTo(expected));
        Assert.That(actual.History, Is.EqualTo(expected.History));
    }

    private static TaskSnapshot Completed(TaskSnapshot task) =>
        task with { State = TaskState.Completed, Attempts = 1, WorkerId = "w1", FinishedAt = Submitted.AddSeconds(2), Result = "done" };

    private static TaskSnapshot Snapshot(long sequence) =>
        new(Guid.NewGuid(), 5, sequence, TaskState.Pending, 0, null, Submitted, null, null, null, null, null, "ABCDEF", 11);
}
