using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// LiteDB's checkpoint runs between turns, when the engine asks, not inside a turn's commit; while the materializer
/// writes a batch, the batch runs it between its transactions instead, so the loop never waits for a batch.
/// </summary>
public class JournalCheckpointTests : TempDirectoryTests
{
    private const long Threshold = JournalCheckpoint.DefaultPages * 8192L;

    /// <summary>Long enough that no batch runs by itself while a test looks.</summary>
    private static readonly TimeSpan NoBatches = TimeSpan.FromHours(1);

    private string JournalPath => Path.Combine(TestDirectory, "journal.db");

    private string LogPath => Path.Combine(TestDirectory, "journal-log.db");

    [Test]
    public void TheLogIsCopiedIntoTheDataFile_OnlyBetweenTurns_AndNothingIsLost()
    {
        var ids = new List<Guid>();
        var sequence = 0L;
        using (var journal = new TaskJournal(JournalPath, durable: false, materializeWindow: NoBatches))
        {
            // Without the engine asking, the commits leave the log to grow past LiteDB's own threshold.
            var turns = 0;
            while (new FileInfo(LogPath).Length <= Threshold)
            {
                ids.AddRange(WriteTurn(journal, ref sequence, tasks: 10));
                turns++;
            }

            Assert.That(journal.Checkpoints!.Count, Is.Zero);
            journal.CheckpointIfDue();
            var afterFirst = new FileInfo(LogPath).Length;
            var largest = 0L;
            for (var t = 0; t < turns * 2; t++)
            {
                ids.AddRange(WriteTurn(journal, ref sequence, tasks: 10));
                largest = Math.Max(largest, new FileInfo(LogPath).Length);
                journal.CheckpointIfDue();
            }

            using (Assert.EnterMultipleScope())
            {
                Assert.That(ids, Has.Count.LessThan(Materializer.MaxTasks), "no batch ran meanwhile");
                Assert.That(afterFirst, Is.LessThan(Threshold / 10), "asked between turns, the log is copied and starts afresh");
                Assert.That(journal.Checkpoints.Count, Is.GreaterThan(1));
                Assert.That(largest, Is.LessThan(Threshold + (1024 * 1024)), "it never grows much past the threshold");
            }
        }

        using var reopened = new TaskJournal(JournalPath, durable: false);
        Assert.That(ids.Where(id => reopened.Find(id)?.State != TaskState.Completed), Is.Empty, "every task reads back as last written");
    }

    [Test]
    public void ABatchOfDocuments_CopiesTheLogWhenDue_BetweenItsTransactions()
    {
        var sequence = 0L;
        var ids = new List<Guid>();
        using (var journal = new TaskJournal(JournalPath, durable: false, materializeWindow: NoBatches))
        {
            while (new FileInfo(LogPath).Length <= Threshold)
            {
                ids.AddRange(WriteTurn(journal, ref sequence, tasks: 10));
            }

            Assert.That(journal.Checkpoints!.Count, Is.Zero);
            journal.CatchUp();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(journal.Checkpoints.Count, Is.EqualTo(1), "the batch ran the checkpoint the log was due");
                Assert.That(new FileInfo(LogPath).Length, Is.LessThan(Threshold / 10));
            }
        }

        using var reopened = new TaskJournal(JournalPath, durable: false);
        Assert.That(ids.Where(id => reopened.Find(id)?.State != TaskState.Completed), Is.Empty, "every task reads back as last written");
    }

    /// <summary>A plain task's life in three writes, as the engine makes them: accepted, running, completed.</summary>
    internal static List<Guid> WriteTurn(TaskJournal journal, ref long sequence, int tasks = 30)
    {
        var now = DateTimeOffset.UnixEpoch;
        var accepted = new List<TaskSnapshot>(tasks);
        for (var i = 0; i < tasks; i++)
        {
            accepted.Add(new TaskSnapshot(Guid.NewGuid(), 0, ++sequence, TaskState.Pending, 0, null, now, null, null, null, null, null, "0123456789ABCDEF", 30));
        }

        journal.Write(accepted, accepted.Select(t => new KeyValuePair<Guid, string>(t.Id, $"resize image {t.Sequence}")));
        var running = accepted.Select(t => t with { State = TaskState.Running, Attempts = 1, WorkerId = "w1", AssignedAt = now }).ToList();
        journal.Write(running, []);
        journal.Write(running.Select(t => t with { State = TaskState.Completed, StartedAt = now, FinishedAt = now }), []);
        return [.. accepted.Select(t => t.Id)];
    }
}
