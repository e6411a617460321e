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
        using var batches = new HeldBatches();
        var task = batches.AddNew();

        var first = batches.StartCatchUp();
        batches.Materializer.Add(2, [task with { State = TaskState.Running, Attempts = 1, WorkerId = "w1" }], new Dictionary<Guid, BsonDocument>());
        Assert.That(batches.Materializer.AwaitsInsert(task.Id), Is.True, "its insert has not committed yet");
        batches.Release();
        await first;
        Assert.That(batches.Materializer.AwaitsInsert(task.Id), Is.False, "inserted by the first batch");
        batches.Materializer.CatchUp();

        Assert.That(batches.Written, Is.EqualTo(new[]
        {
            new List<(TaskState, bool)> { (TaskState.Pending, true) },
            new List<(TaskState, bool)> { (TaskState.Running, false) },
        }));
        Assert.That(batches.Materializer.Carried, Is.Zero);
    }

    [Test]
    public async Task WhileABatchIsWritten_WorkBetweenBatchesIsSkipped_AndRunsOnceItHasEnded()
    {
        using var batches = new HeldBatches();
        batches.AddNew();

        var batch = batches.StartCatchUp();
        var ran = false;
        var skipped = batches.Materializer.IfNoBatch(() => { ran = true; return TimeSpan.Zero; });
        batches.Release();
        await batch;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(skipped, Is.Null);
            Assert.That(ran, Is.False, "not run while the batch holds the file");
            Assert.That(batches.Materializer.IfNoBatch(() => TimeSpan.FromSeconds(2)), Is.EqualTo(TimeSpan.FromSeconds(2)), "with no batch, it runs at once");
            Assert.That(batches.Materializer.Carried, Is.Zero);
        }
    }

    [Test]
    public void UnfinishedTasksAWindowOld_WaitForTheirEnd_UpToTheBound_SoEachIsWrittenOnce_AndTheOldestBeyondItAsTheyStand()
    {
        var written = new List<(Guid Id, TaskState State, bool Insert)>();
        using var materializer = new Materializer(
            batch => written.AddRange(batch.Tasks.Select(t => (t.Task.Id, t.Task.State, t.Head is not null))),
            materializedUpTo: 0, window: TimeSpan.FromMilliseconds(1), maxWaiting: 2, longWait: TimeSpan.FromHours(1));
        var tasks = Enumerable.Range(1, 3).Select(turn =>
        {
            var task = Pending();
            materializer.Add(turn, [task], new Dictionary<Guid, BsonDocument> { [task.Id] = new BsonDocument { ["_id"] = (long)turn } });
            Thread.Sleep(5);
            return task;
        }).ToList();

        materializer.WriteDue();
        var oldestWritten = written.ToList();
        var markWhileTwoWait = materializer.MaterializedUpTo;
        materializer.Add(4, [.. tasks.Skip(1).Select(t => t with { State = TaskState.Completed, Attempts = 1, WorkerId = "w1" })], new Dictionary<Guid, BsonDocument>());
        materializer.WriteDue();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(oldestWritten, Is.EqualTo(new[] { (tasks[0].Id, TaskState.Pending, true) }), "beyond the bound of 2, the oldest is written waiting");
            Assert.That(markWhileTwoWait, Is.EqualTo(1), "the records of the waiting tasks' turns are kept");
            Assert.That(written.Skip(1), Is.EquivalentTo(new[] { (tasks[1].Id, TaskState.Completed, true), (tasks[2].Id, TaskState.Completed, true) }),
                "the two that waited are written once, finished");
            Assert.That(materializer.MaterializedUpTo, Is.EqualTo(4));
            Assert.That(materializer.Carried, Is.Zero);
        }
    }

    [Test]
    public void AnUnfinishedTaskCarriedForTheLongWait_IsWrittenAsItStands()
    {
        var written = new List<TaskState>();
        using var materializer = new Materializer(
            batch => written.AddRange(batch.Tasks.Select(t => t.Task.State)),
            materializedUpTo: 0, window: TimeSpan.FromMilliseconds(1), maxWaiting: 100, longWait: TimeSpan.FromSeconds(2));
        var task = Pending();
        materializer.Add(1, [task], new Dictionary<Guid, BsonDocument> { [task.Id] = new BsonDocument { ["_id"] = 1L } });
        Thread.Sleep(5);

        materializer.WriteDue();
        var beforeTheLongWait = written.Count;
        Thread.Sleep(TimeSpan.FromSeconds(2.1));
        materializer.WriteDue();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(beforeTheLongWait, Is.Zero, "a window old, under the bound: it waits for its end");
            Assert.That(written, Is.EqualTo(new[] { TaskState.Pending }), "past the long wait, written as it stands");
            Assert.That(materializer.MaterializedUpTo, Is.EqualTo(1));
        }
    }

    private static TaskSnapshot Pending() =>
        new(Guid.NewGuid(), 0, 1, TaskState.Pending, 0, null, DateTimeOffset.UnixEpoch, null, null, null, null, null, "ABCDEF", 6);

    /// <summary>A materializer whose batches are recorded (each task's state, and whether it is inserted) and held at their write until released.</summary>
    private sealed class HeldBatches : IDisposable
    {
        private readonly ManualResetEventSlim _writing = new();
        private readonly ManualResetEventSlim _release = new();

        public HeldBatches() => Materializer = new Materializer(
            batch =>
            {
                Written.Add([.. batch.Tasks.Select(t => (t.Task.State, t.Head is not null))]);
                _writing.Set();
                _release.Wait();
            },
            materializedUpTo: 0,
            window: TimeSpan.FromHours(1));

        public Materializer Materializer { get; }

        public List<List<(TaskState State, bool Insert)>> Written { get; } = [];

        /// <summary>A new pending task, accepted by turn 1.</summary>
        public TaskSnapshot AddNew()
        {
            var task = new TaskSnapshot(Guid.NewGuid(), 0, 1, TaskState.Pending, 0, null, DateTimeOffset.UnixEpoch, null, null, null, null, null, "ABCDEF", 6);
            Materializer.Add(1, [task], new Dictionary<Guid, BsonDocument> { [task.Id] = new BsonDocument { ["_id"] = 1L } });
            return task;
        }

        /// <summary>Writes the carry on another thread; returns once its first batch is held at its write.</summary>
        public Task StartCatchUp()
        {
            var catchUp = Task.Run(Materializer.CatchUp);
            Assert.That(_writing.Wait(TimeSpan.FromSeconds(30)), Is.True, "a batch is being written");
            return catchUp;
        }

        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            Materializer.Dispose();
            _writing.Dispose();
            _release.Dispose();
        }
    }
}
