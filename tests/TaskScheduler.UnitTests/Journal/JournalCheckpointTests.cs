using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>LiteDB's checkpoint runs between turns, when the engine asks, not inside a turn's commit.</summary>
public class JournalCheckpointTests : TempDirectoryTests
{
    [Test]
    public void TheLogIsCopiedIntoTheDataFile_OnlyBetweenTurns_AndNothingIsLost()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var logPath = Path.Combine(TestDirectory, "journal-log.db");
        const long threshold = JournalCheckpoint.DefaultPages * 8192L;
        var ids = new List<Guid>();
        var sequence = 0L;
        using (var journal = new TaskJournal(path, durable: false))
        {
            // Without the engine asking, the commits leave the log to grow past LiteDB's own threshold.
            while (new FileInfo(logPath).Length <= threshold)
            {
                ids.AddRange(WriteTurn(journal, ref sequence));
            }

            Assert.That(journal.Checkpoints!.Count, Is.Zero);
            journal.CheckpointIfDue();
            var afterFirst = new FileInfo(logPath).Length;
            var largest = 0L;
            for (var g = 0; g < 400; g++)
            {
                ids.AddRange(WriteTurn(journal, ref sequence));
                largest = Math.Max(largest, new FileInfo(logPath).Length);
                journal.CheckpointIfDue();
            }

            using (Assert.EnterMultipleScope())
            {
                Assert.That(afterFirst, Is.LessThan(threshold / 10), "asked between turns, the log is copied and starts afresh");
                Assert.That(journal.Checkpoints.Count, Is.GreaterThan(1));
                // Put off while a batch of documents is written (the batch runs it then), never past twice the threshold.
                Assert.That(largest, Is.LessThan((threshold * JournalCheckpoint.OverdueFactor) + (1024 * 1024)), "it never grows much past twice the threshold");
            }
        }

        using var reopened = new TaskJournal(path, durable: false);
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
