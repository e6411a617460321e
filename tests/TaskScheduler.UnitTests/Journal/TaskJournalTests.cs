using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>The LiteDB journal on a real file: what is committed is what a restarted scheduler reads back.</summary>
public class TaskJournalTests : TempDirectoryTests
{
    [Test]
    public void Commit_IsReadBackAfterReopening_WithPayloadsAndEveryField()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var submitted = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var pending = Snapshot(TaskState.Pending, sequence: 1, submitted);
        var running = Snapshot(TaskState.Running, sequence: 2, submitted) with { Attempts = 2, WorkerId = "w1", AssignedAt = submitted.AddSeconds(1), Note = "requeued" };
        var failed = Snapshot(TaskState.Failed, sequence: 3, submitted) with
        {
            Attempts = 1, WorkerId = "w2", StartedAt = submitted.AddSeconds(2), FinishedAt = submitted.AddSeconds(3), Error = "boom",
        };

        using (var journal = new TaskJournal(path))
        {
            journal.Commit([pending, running, failed], [new(pending.Id, "payload é 1"), new(running.Id, "p2"), new(failed.Id, "p3")]);
        }

        using var reopened = new TaskJournal(path);
        var unfinished = reopened.LoadUnfinished().OrderBy(s => s.Sequence).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unfinished, Is.EqualTo(new[] { pending, running }));
            Assert.That(reopened.Find(failed.Id), Is.EqualTo(failed));
            Assert.That(reopened.FindPayload(pending.Sequence), Is.EqualTo("payload é 1"));
            Assert.That(reopened.LastSequence(), Is.EqualTo(3));
            Assert.That(reopened.Find(Guid.NewGuid()), Is.Null);
        }
    }

    [Test]
    public async Task StatusReads_DuringReopens_AreAnswered_NeverFailedWithTheReplacedInstance()
    {
        // The engine reopens the journal after a failed write (a full disk) while HTTP readers keep asking.
        using var journal = new TaskJournal(Path.Combine(TestDirectory, "journal.db"), durable: false);
        var task = Snapshot(TaskState.Pending, sequence: 1, DateTimeOffset.UnixEpoch);
        journal.Commit([task], [new(task.Id, "work")]);
        journal.CatchUp();

        using var stop = new CancellationTokenSource();
        var (reads, failures) = (0, new List<Exception>());
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Assert.That(journal.Find(task.Id)?.Id, Is.EqualTo(task.Id));
                    Assert.That(journal.FindPayload(task.Sequence), Is.EqualTo("work"));
                    Assert.That(journal.List(new TaskListFilter()).Tasks, Has.Count.EqualTo(1));
                    reads++;
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            }
        });

        for (var i = 0; i < 200 && failures.Count == 0; i++)
        {
            journal.Reopen();
        }

        await stop.CancelAsync();
        await reader;
        Assert.That(failures, Is.Empty);
        Assert.That(reads, Is.GreaterThan(0));
    }

    [Test]
    public void Commit_OfALaterState_ReplacesTheEarlierOne()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var task = Snapshot(TaskState.Pending, sequence: 7, DateTimeOffset.UnixEpoch);
        using var journal = new TaskJournal(path);
        journal.Commit([task], [new(task.Id, "work")]);
        journal.Commit([task with { State = TaskState.Completed, Attempts = 1, FinishedAt = DateTimeOffset.UnixEpoch.AddMinutes(1) }], []);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Find(task.Id)!.State, Is.EqualTo(TaskState.Completed));
            Assert.That(journal.LoadUnfinished(), Is.Empty);
            Assert.That(journal.FindPayload(task.Sequence), Is.EqualTo("work"), "the payload outlives the task's state changes");
        }
    }

    [Test]
    public void Restore_FromTheJournal_RebuildsTheQueueTheCoreHadBeforeTheRestart()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var before = new RecordingCore(new SchedulerCore(LivenessOptions.Default, time));
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            before.Submit(ids[i], priority: i % 2, contentHash: "h", payloadBytes: 1, journaled: null);
        }

        using (var journal = new TaskJournal(path))
        {
            journal.Commit(before.Effects.Changed.Values, ids.Select(id => new KeyValuePair<Guid, string>(id, "x")));
        }

        using var reopened = new TaskJournal(path);
        var after = new RecordingCore(new SchedulerCore(LivenessOptions.Default, time));
        after.Restore(reopened.LoadUnfinished(), reopened.LastSequence());
        after.WorkerJoined(new Contracts.Messages.WorkerJoined("w1", 10, "host-1", 4242, time.GetUtcNow()));
        after.Dispatch();

        var order = after.Effects.Assignments.Select(a => a.TaskId).ToList();
        var expected = ids.Select((id, i) => (id, i)).OrderByDescending(x => x.i % 2).ThenBy(x => x.i).Select(x => x.id).ToList();
        Assert.That(order, Is.EqualTo(expected), "priority first, then original order");
    }

    [Test]
    public void Commit_RoundTripsDependenciesRetriesAndCheckpoints()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var at = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var dependencies = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var task = Snapshot(TaskState.Pending, sequence: 4, at) with
        {
            DependsOn = dependencies,
            MaxRetries = 3,
            Retries = 1,
            RetryAt = at.AddSeconds(2),
            Wait = PendingWait.RetryBackoff,
            Checkpoint = "rows 0-1233 loaded; élan ✓",
            Timeout = TimeSpan.FromMinutes(5),
            Preemptions = 2,
            Error = "boom",
        };

        using (var journal = new TaskJournal(path))
        {
            journal.Commit([task], [new(task.Id, "p")]);
        }

        using var reopened = new TaskJournal(path);
        var read = reopened.Find(task.Id)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.DependsOn, Is.EqualTo(dependencies));
            Assert.That(read with { DependsOn = task.DependsOn }, Is.EqualTo(task));
            Assert.That(reopened.LoadUnfinished().Single().Wait, Is.EqualTo(PendingWait.RetryBackoff));
        }
    }

    [Test]
    public void History_IsKeptWithTheTask_AndReadBackOldestFirst_AfterAcceptedWhichTheTaskItselfImplies()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var at = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var task = Snapshot(TaskState.Pending, sequence: 1, at) with { MaxRetries = 2 };
        var assigned = new TaskHistoryEntry(at.AddSeconds(1), TaskHistoryEvents.Assigned, "w1", 1, null);

        // A step timed before the one journaled ahead of it (a worker's clock) still comes after it.
        var started = new TaskHistoryEntry(at.AddMilliseconds(500), TaskHistoryEvents.Started, "w1", 1, null);
        var completed = new TaskHistoryEntry(at.AddSeconds(2), TaskHistoryEvents.Completed, "w1", 1, null);
        using (var journal = new TaskJournal(path))
        {
            journal.Commit([task], [new(task.Id, "p")]);
            journal.Commit([task with { State = TaskState.Running, History = [assigned] }], []);
            journal.Commit([task with { State = TaskState.Completed, History = [assigned, started, completed] }], []);
        }

        using var reopened = new TaskJournal(path);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.History(task.Id), Is.EqualTo(new[]
            {
                new TaskHistoryEntry(at, TaskHistoryEvents.Accepted, null, null, "priority 5; up to 2 retries"), assigned, started, completed,
            }));
            Assert.That(reopened.History(Guid.NewGuid()), Is.Empty);
        }
    }

    [Test]
    public void Commit_KeepsACompletedTasksResult_ByteForByte()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var at = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var task = Snapshot(TaskState.Completed, sequence: 1, at) with { Result = "résumé: 3 × 7 = 21 ✓ 𝄞" };

        using (var journal = new TaskJournal(path))
        {
            journal.Commit([task], [new(task.Id, "p")]);
        }

        using var reopened = new TaskJournal(path);
        Assert.That(reopened.Find(task.Id)!.Result, Is.EqualTo("résumé: 3 × 7 = 21 ✓ 𝄞"));
    }

    [Test]
    public void FindMany_ReadsTheKnownTasksOfAGraph_AndSkipsUnknownIds()
    {
        var submitted = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var known = Enumerable.Range(1, 50).Select(i => Snapshot(TaskState.Completed, i, submitted)).ToList();
        using var journal = new TaskJournal(Path.Combine(TestDirectory, "journal.db"));
        journal.Write(known, known.Select(k => new KeyValuePair<Guid, string>(k.Id, "p")));
        var asked = known.Take(10).Select(k => k.Id).Concat(Enumerable.Range(0, 10).Select(_ => Guid.NewGuid())).ToList();

        Assert.That(journal.FindMany(asked).Select(s => s.Id), Is.EquivalentTo(known.Take(10).Select(k => k.Id)));
    }

    [Test]
    public void DocumentTooLargeForTheJournal_IsRefusedByTheWrite_AndFoundByOversized()
    {
        var submitted = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var small = Snapshot(TaskState.Running, sequence: 1, submitted) with { WorkerDeaths = 3 };
        var huge = Snapshot(TaskState.Failed, sequence: 2, submitted) with { Error = new string('e', 17 * 1024 * 1024) };
        using var journal = new TaskJournal(Path.Combine(TestDirectory, "journal.db"));

        Assert.That(() => journal.Write([small, huge], [new(small.Id, "p1"), new(huge.Id, "p2")]),
            Throws.InvalidOperationException.With.Message.Contains(huge.Id.ToString()));
        Assert.That(TaskJournal.Oversized([small, huge]).Select(o => o.Id), Is.EqualTo(new[] { huge.Id }));

        journal.Write([small], [new(small.Id, "p1")]);
        Assert.That(journal.Find(small.Id), Is.EqualTo(small), "a failed write leaves nothing behind, and the journal goes on (with the worker deaths)");
    }

    private static TaskSnapshot Snapshot(TaskState state, long sequence, DateTimeOffset submitted) =>
        new(Guid.NewGuid(), 5, sequence, state, 0, null, submitted, null, null, null, null, null, "ABCDEF", 11);
}
