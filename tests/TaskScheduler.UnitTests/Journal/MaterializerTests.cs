using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// The materializer's batches against the loop's turns: a task is inserted once however its turns and batches
/// interleave, and what must not run during a batch (LiteDB's checkpoint) never waits one out on the loop's thread.
/// </summary>
public class MaterializerTests
{
    [Test]
    public async Task ATaskChangedWhileItsInsertIsWritten_IsUpdatedByTheNextBatch_NotInsertedAgain()
    {
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var batches = new List<List<(TaskState State, bool Insert)>>();
        using var materializer = new Materializer(
            batch =>
            {
                batches.Add([.. batch.Tasks.Select(t => (t.Task.State, t.Head is not null))]);
                writing.Set();
                release.Wait();
            },
            materializedUpTo: 0,
            window: TimeSpan.FromHours(1));
        var task = Pending();
        materializer.Add(1, [task], new Dictionary<Guid, BsonDocument> { [task.Id] = new BsonDocument { ["_id"] = 1L } });

        var first = Task.Run(materializer.CatchUp);
        Assert.That(writing.Wait(TimeSpan.FromSeconds(30)), Is.True, "the first batch is being written");
        materializer.Add(2, [task with { State = TaskState.Running, Attempts = 1, WorkerId = "w1" }], new Dictionary<Guid, BsonDocument>());
        Assert.That(materializer.AwaitsInsert(task.Id), Is.True, "its insert has not committed yet");
        release.Set();
        await first;
        Assert.That(materializer.AwaitsInsert(task.Id), Is.False, "inserted by the first batch");
        materializer.CatchUp();

        Assert.That(batches, Is.EqualTo(new[]
        {
            new List<(TaskState, bool)> { (TaskState.Pending, true) },
            new List<(TaskState, bool)> { (TaskState.Running, false) },
        }));
        Assert.That(materializer.Carried, Is.Zero);
    }

    [Test]
    public async Task WhileABatchIsWritten_WorkBetweenBatchesIsSkipped_AndRunsOnceItHasEnded()
    {
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var materializer = new Materializer(
            _ =>
            {
                writing.Set();
                release.Wait();
            },
            materializedUpTo: 0,
            window: TimeSpan.FromHours(1));
        var task = Pending();
        materializer.Add(1, [task], new Dictionary<Guid, BsonDocument> { [task.Id] = new BsonDocument { ["_id"] = 1L } });

        var batch = Task.Run(materializer.CatchUp);
        Assert.That(writing.Wait(TimeSpan.FromSeconds(30)), Is.True, "the batch is being written");
        var ran = false;
        var skipped = materializer.IfNoBatch(() => { ran = true; return TimeSpan.Zero; });
        release.Set();
        await batch;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(skipped, Is.Null);
            Assert.That(ran, Is.False, "not run while the batch holds the file");
            Assert.That(materializer.IfNoBatch(() => TimeSpan.FromSeconds(2)), Is.EqualTo(TimeSpan.FromSeconds(2)), "with no batch, it runs at once");
            Assert.That(materializer.Carried, Is.Zero);
        }
    }

    private static TaskSnapshot Pending() =>
        new(Guid.NewGuid(), 0, 1, TaskState.Pending, 0, null, DateTimeOffset.UnixEpoch, null, null, null, null, null, "ABCDEF", 6);
}
