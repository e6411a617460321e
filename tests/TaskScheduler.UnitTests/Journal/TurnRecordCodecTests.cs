using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>A turn's record in bytes and back: what a replayed or replicated turn gives is what the turn wrote.</summary>
public class TurnRecordCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    [Test]
    public void APlainTasksLife_ReadBackTurnByTurn_IsTheTaskEachTurnWrote_InAFewDozenBytesATurn()
    {
        var accepted = Plain(sequence: 41);
        var assigned = accepted with
        {
            State = TaskState.Running, Attempts = 1, WorkerId = "worker-7", AssignedAt = Now.AddMilliseconds(3),
            History = [new TaskHistoryEntry(Now.AddMilliseconds(3), TaskHistoryEvents.Assigned, "worker-7", 1, null)],
        };
        var completed = assigned with
        {
            State = TaskState.Completed, StartedAt = Now.AddMilliseconds(4), FinishedAt = Now.AddMilliseconds(9), Result = "done",
            History =
            [
                .. assigned.History,
                new TaskHistoryEntry(Now.AddMilliseconds(4), TaskHistoryEvents.Started, "worker-7", 1, null),
                new TaskHistoryEntry(Now.AddMilliseconds(9), TaskHistoryEvents.Completed, "worker-7", 1, null),
            ],
        };

        var committed = new Dictionary<Guid, TaskSnapshot>();
        var sizes = new List<int>();
        var turn = 0L;
        foreach (var (task, payload) in new[] { (accepted, "resize image 41"), (assigned, null), (completed, null) })
        {
            var bytes = TurnRecordCodec.Encode(Record(++turn, [task], payload is null ? [] : new() { [task.Id] = payload }));
            sizes.Add(bytes.Length);
            var read = TurnRecordCodec.Decode(bytes, id => committed.GetValueOrDefault(id));
            AssertSame(read.Changes.Single(), task);
            Assert.That(read.Accepted(task.Id), Is.EqualTo(payload is not null));
            if (payload is not null)
            {
                Assert.That(read.Payloads[task.Id], Is.EqualTo(payload));
            }

            committed[task.Id] = read.Changes.Single();
        }

        // One task per record here, so each pays the record's header too; the design's budget is about 150 bytes.
        Assert.That(sizes.Sum(), Is.LessThan(300), $"bytes per turn: {string.Join(", ", sizes)}");
    }

    [Test]
    public void ATaskWithEveryFieldSet_AndAPayloadOfAnyText_RoundTrips()
    {
        var dependency = Guid.NewGuid();
        var task = Plain(sequence: 9_000_000_000) with
        {
            Priority = -3,
            State = TaskState.Pending,
            Wait = PendingWait.RetryBackoff,
            Attempts = 4,
            WorkerId = "gpu-worker-1",
            AssignedAt = Now.AddMinutes(-3),
            StartedAt = Now.AddMinutes(-2),
            FinishedAt = null,
            Error = "CUDA out of memory: ümlaut, 中文, \0 and an emoji 🚀",
            Note = "attempt 4 failed; retry 2 of 5",
            Retries = 2,
            RetryAt = Now.AddSeconds(30),
            Checkpoint = "{\"step\":12}",
            Result = null,
            Preemptions = 3,
            WorkerDeaths = 1,
            DependsOn = [dependency, Guid.NewGuid()],
            MaxRetries = 5,
            Timeout = TimeSpan.FromMinutes(90),
            RunAt = Now.AddYears(-1),
            Requires = ["cuda", "gpu"],
            Group = "tenant-a",
            ContentHash = "not hex: a hash from an older version",
            History =
            [
                new TaskHistoryEntry(Now.AddMinutes(-3), TaskHistoryEvents.Assigned, "gpu-worker-1", 4, null),
                new TaskHistoryEntry(Now.AddMinutes(-1), TaskHistoryEvents.RetryScheduled, null, null, "retry 2 of 5"),
                new TaskHistoryEntry(Now.AddDays(-400), TaskHistoryEvents.Truncated, null, 0, "27 steps"),
            ],
        };
        var payload = string.Concat(Enumerable.Repeat("ñ😀x", 100_000));

        var read = TurnRecordCodec.Decode(TurnRecordCodec.Encode(Record(7, [task], new() { [task.Id] = payload }, term: 3)), _ => null);

        using (Assert.EnterMultipleScope())
        {
            AssertSame(read.Changes.Single(), task);
            Assert.That(read.Payloads[task.Id], Is.EqualTo(payload));
            Assert.That((read.Turn, read.Term, read.At), Is.EqualTo((7L, 3L, Now)));
        }
    }

    [Test]
    public void AChangedTask_KeepsWhatIsFixedAtAcceptance_FromTheTaskAsCommitted()
    {
        var accepted = Plain(sequence: 5) with { DependsOn = [Guid.NewGuid()], Requires = ["gpu"], Group = "g", Timeout = TimeSpan.FromSeconds(5), MaxRetries = 2 };
        var committed = TurnRecordCodec.Decode(TurnRecordCodec.Encode(Record(1, [accepted], new() { [accepted.Id] = "p" })), _ => null).Changes.Single();
        var changed = accepted with { Priority = 9, Note = "priority changed" };

        var read = TurnRecordCodec.Decode(TurnRecordCodec.Encode(Record(2, [changed], [])), id => id == accepted.Id ? committed : null);

        AssertSame(read.Changes.Single(), changed);
        Assert.That(read.Payloads, Is.Empty);
    }

    [Test]
    public void ManyTasksOfOneTurn_RoundTrip_AndTheirRepeatedNamesAreWrittenOnce()
    {
        var tasks = Enumerable.Range(0, 200).Select(i => Plain(i) with
        {
            State = TaskState.Running, Attempts = 1, WorkerId = $"worker-{i % 4}", AssignedAt = Now,
            History = [new TaskHistoryEntry(Now, TaskHistoryEvents.Assigned, $"worker-{i % 4}", 1, null)],
        }).ToList();
        var committed = tasks.ToDictionary(t => t.Id, t => t with { State = TaskState.Pending, Attempts = 0, WorkerId = null, AssignedAt = null, History = [] });

        var bytes = TurnRecordCodec.Encode(Record(3, tasks, []));
        var read = TurnRecordCodec.Decode(bytes, id => committed.GetValueOrDefault(id));

        Assert.That(read.Changes, Has.Count.EqualTo(200));
        for (var i = 0; i < tasks.Count; i++)
        {
            AssertSame(read.Changes[i], tasks[i]);
        }

        Assert.That(bytes.Length / 200.0, Is.LessThan(40), "an assignment is an id, a few fields and one history step");
    }

    [Test]
    public void ARecordRead_Twice_GivesTheSameTasks()
    {
        var task = Plain(1) with { State = TaskState.Completed, Attempts = 1, FinishedAt = Now };
        var committed = Plain(1);
        var bytes = TurnRecordCodec.Encode(Record(2, [task], []));

        var once = TurnRecordCodec.Decode(bytes, _ => committed).Changes.Single();
        var twice = TurnRecordCodec.Decode(bytes, _ => once).Changes.Single();

        AssertSame(twice, once);
    }

    [Test]
    public void ARecordChangingATaskTheJournalDoesNotHold_IsRefused_NamingIt()
    {
        var task = Plain(1) with { State = TaskState.Running };
        var bytes = TurnRecordCodec.Encode(Record(12, [task], []));

        var error = Assert.Throws<InvalidDataException>(() => TurnRecordCodec.Decode(bytes, _ => null));

        Assert.That(error!.Message, Does.Contain("Turn 12").And.Contain(task.Id.ToString()));
    }

    [Test]
    public void EveryCutOfARecord_AndAnotherFormat_IsRefusedAsDamaged_NeverMisread()
    {
        var tasks = new[] { Plain(1) with { History = [new TaskHistoryEntry(Now, TaskHistoryEvents.Assigned, "w", 1, "d")] }, Plain(2) };
        var bytes = TurnRecordCodec.Encode(Record(1, tasks, tasks.ToDictionary(t => t.Id, t => $"payload {t.Sequence}")));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => TurnRecordCodec.Decode(bytes.AsMemory(0, length), _ => null), $"cut at {length} of {bytes.Length}");
        }

        var otherVersion = bytes.ToArray();
        otherVersion[0] = TurnRecordCodec.Version + 1;
        Assert.That(() => TurnRecordCodec.Decode(otherVersion, _ => null), Throws.InstanceOf<InvalidDataException>().With.Message.Contain("format"));
    }

    private static TaskSnapshot Plain(long sequence) =>
        new(Guid.NewGuid(), (int)(sequence % 10), sequence, TaskState.Pending, 0, null, Now, null, null, null, null, null, "0123456789ABCDEF0123456789ABCDEF", 15);

    private static TurnRecord Record(long turn, IReadOnlyList<TaskSnapshot> changes, Dictionary<Guid, string> payloads, long term = 0) =>
        new(turn, term, Now, changes, payloads);

    /// <summary>Equal in every field; the lists (which a record compares by reference) item by item.</summary>
    private static void AssertSame(TaskSnapshot actual, TaskSnapshot expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual with { DependsOn = expected.DependsOn, Requires = expected.Requires, History = expected.History }, Is.EqualTo(expected));
            Assert.That(actual.DependsOn, Is.EqualTo(expected.DependsOn));
            Assert.That(actual.Requires, Is.EqualTo(expected.Requires));
            Assert.That(actual.History, Is.EqualTo(expected.History));
        }
    }
}
