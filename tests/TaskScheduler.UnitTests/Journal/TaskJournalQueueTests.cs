using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>The journal's queue index: Pending tasks in dispatch order, read in chunks by a restore.</summary>
public class TaskJournalQueueTests : TempDirectoryTests
{
    [Test]
    public void LoadPending_ReadsOnlyPendingTasks_InDispatchOrder_ChunkByChunk()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        int[] priorities = [0, int.MinValue, 7, -3, int.MaxValue, 7, 0, 2, -3, 1];
        var tasks = priorities.Select((p, i) => Snapshot(p, sequence: i + 1, i % 4 == 3 ? TaskState.Running : TaskState.Pending)).ToList();
        var finished = Snapshot(99, sequence: 11, TaskState.Completed) with { FinishedAt = DateTimeOffset.UnixEpoch };
        using var journal = new TaskJournal(path);
        journal.Commit([.. tasks, finished], [.. tasks.Append(finished).Select(t => new KeyValuePair<Guid, string>(t.Id, "x"))]);

        var read = new List<TaskSnapshot>();
        PendingEntry? after = null;
        while (journal.LoadPending(after, 3) is { Count: > 0 } chunk)
        {
            read.AddRange(chunk);
            after = new PendingEntry(chunk[^1].Priority, chunk[^1].Sequence, chunk[^1].Id);
        }

        var expected = tasks.Where(t => t.State == TaskState.Pending)
            .OrderByDescending(t => t.Priority).ThenBy(t => t.Sequence).Select(t => t.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Select(t => t.Id), Is.EqualTo(expected));
            Assert.That(journal.CountPending(), Is.EqualTo(expected.Count()));
            Assert.That(journal.LoadRunning().Select(t => t.Id), Is.EquivalentTo(tasks.Where(t => t.State == TaskState.Running).Select(t => t.Id)));
        }
    }

    [Test]
    public void QueueIndex_FollowsATasksChanges()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var low = Snapshot(1, sequence: 1, TaskState.Pending);
        var high = Snapshot(5, sequence: 2, TaskState.Pending);
        using var journal = new TaskJournal(path);
        journal.Commit([low, high], [new(low.Id, "x"), new(high.Id, "y")]);

        journal.Commit([low with { Priority = 9 }, high with { State = TaskState.Running, Attempts = 1, WorkerId = "w1" }], []);

        Assert.That(journal.LoadPending(null, 10).Select(t => (t.Id, t.Priority)), Is.EqualTo(new[] { (low.Id, 9) }));
    }

    [Test]
    public void JournalWrittenWithoutTheQueueIndex_GetsItWhenOpened()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var tasks = Enumerable.Range(1, 5).Select(i => Snapshot(i % 2, sequence: i, TaskState.Pending)).ToList();
        using (var journal = new TaskJournal(path))
        {
            journal.Commit(tasks, [.. tasks.Select(t => new KeyValuePair<Guid, string>(t.Id, "x"))]);
        }

        // As the previous version left it: no queue index.
        using (var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }))
        {
            Assert.That(db.GetCollection("tasks").DropIndex(ListKeys.QueueIndex), Is.True);
        }

        using var reopened = new TaskJournal(path);
        Assert.That(reopened.LoadPending(null, 10).Select(t => t.Id),
            Is.EqualTo(tasks.OrderByDescending(t => t.Priority).ThenBy(t => t.Sequence).Select(t => t.Id)));
    }

    private static TaskSnapshot Snapshot(int priority, long sequence, TaskState state) =>
        new(Guid.NewGuid(), priority, sequence, state, state == TaskState.Running ? 1 : 0, state == TaskState.Running ? "w1" : null,
            DateTimeOffset.UnixEpoch, null, null, null, null, null, "ABCDEF", 1);
}
