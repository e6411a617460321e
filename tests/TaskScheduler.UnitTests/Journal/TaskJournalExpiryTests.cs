using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>Expiry on a real journal file: what is past its retention is gone, with its payload; nothing else is.</summary>
public class TaskJournalExpiryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private string _directory = "";
    private string _path = "";
    private FakeTimeProvider _clock = null!;
    private long _sequence;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"journal-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "journal.db");
        _clock = new FakeTimeProvider(Start);
        _sequence = 0;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Expire_DeletesFinishedTasksPastTheirRetention_WithTheirPayloads_AndNothingElse()
    {
        using var journal = new TaskJournal(_path, durable: false);
        var old = Finished(journal, TaskState.Completed);
        var oldFailed = Finished(journal, TaskState.Failed);
        var oldCancelled = Finished(journal, TaskState.Cancelled);
        var pending = Accepted(journal);
        _clock.Advance(TimeSpan.FromHours(2));
        var recent = Finished(journal, TaskState.Completed);

        _clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromHours(1));
        var slice = journal.Expire(RetentionPolicy.All(TimeSpan.FromDays(7)), _clock.GetUtcNow(), max: 100);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(slice, Is.EqualTo(new ExpirySlice(Tasks: 3, Payloads: 0)));
            foreach (var gone in new[] { old, oldFailed, oldCancelled })
            {
                Assert.That(journal.Find(gone.Id), Is.Null, $"{gone.State} task finished 7 days and 1 hour ago");
                Assert.That(journal.FindPayload(gone.Sequence), Is.Null, "its payload goes with it");
                Assert.That(journal.History(gone.Id), Is.Empty, "and its history");
            }

            Assert.That(journal.Find(recent.Id)?.State, Is.EqualTo(TaskState.Completed), "finished 6 days and 23 hours ago");
            Assert.That(journal.FindPayload(recent.Sequence), Is.Not.Null);
            Assert.That(journal.Find(pending.Id)?.State, Is.EqualTo(TaskState.Pending), "an unfinished task never expires");
            Assert.That(journal.FindPayload(pending.Sequence), Is.Not.Null);
        }
    }

    [Test]
    public void Expire_KeepsEachOutcomeForItsOwnRetention()
    {
        using var journal = new TaskJournal(_path, durable: false);
        var completed = Finished(journal, TaskState.Completed);
        var failed = Finished(journal, TaskState.Failed);
        var cancelled = Finished(journal, TaskState.Cancelled);
        var policy = new RetentionPolicy(
            Completed: TimeSpan.FromDays(1), Failed: TimeSpan.FromDays(30), Cancelled: TimeSpan.FromDays(3), CompletedPayload: TimeSpan.FromDays(1));

        _clock.Advance(TimeSpan.FromDays(2));
        journal.Expire(policy, _clock.GetUtcNow(), max: 100);
        var afterTwoDays = (journal.Find(completed.Id), journal.Find(failed.Id), journal.Find(cancelled.Id));
        _clock.Advance(TimeSpan.FromDays(2));
        journal.Expire(policy, _clock.GetUtcNow(), max: 100);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterTwoDays.Item1, Is.Null, "Completed is kept one day");
            Assert.That(afterTwoDays.Item3, Is.Not.Null, "Cancelled three");
            Assert.That(journal.Find(cancelled.Id), Is.Null, "Cancelled, after four days");
            Assert.That(journal.Find(failed.Id), Is.Not.Null, "Failed is kept thirty days");
        }
    }

    [Test]
    public void Expire_DeletesAtMostOneSlice_OldestFirst_AndTheNextSlicesTakeTheRest()
    {
        using var journal = new TaskJournal(_path, durable: false);
        var tasks = new List<TaskSnapshot>();
        for (var i = 0; i < 25; i++)
        {
            tasks.Add(Finished(journal, TaskState.Completed));
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        _clock.Advance(TimeSpan.FromDays(7));
        var policy = RetentionPolicy.All(TimeSpan.FromDays(7));
        var first = journal.Expire(policy, _clock.GetUtcNow(), max: 10);
        var left = tasks.Where(t => journal.Find(t.Id) is not null).ToList();
        var second = journal.Expire(policy, _clock.GetUtcNow(), max: 10);
        var third = journal.Expire(policy, _clock.GetUtcNow(), max: 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Tasks, Is.EqualTo(10));
            Assert.That(left, Is.EqualTo(tasks.Skip(10)), "the ten that finished first went first");
            Assert.That(second.Tasks, Is.EqualTo(10));
            Assert.That(third.Tasks, Is.EqualTo(5), "a short slice: nothing more is due");
            Assert.That(tasks.Select(t => journal.Find(t.Id)), Is.All.Null);
        }
    }

    [Test]
    public void Expire_DropsACompletedTasksPayloadEarly_AndKeepsTheTaskUntilItsRetention()
    {
        using var journal = new TaskJournal(_path, durable: false);
        var completed = Enumerable.Range(0, 5).Select(_ => Finished(journal, TaskState.Completed)).ToList();
        var failed = Finished(journal, TaskState.Failed);
        var policy = RetentionPolicy.All(TimeSpan.FromDays(7)) with { CompletedPayload = TimeSpan.FromHours(1) };

        _clock.Advance(TimeSpan.FromHours(2));
        var late = Finished(journal, TaskState.Completed);
        var first = journal.Expire(policy, _clock.GetUtcNow(), max: 3);
        var second = journal.Expire(policy, _clock.GetUtcNow(), max: 3);
        var third = journal.Expire(policy, _clock.GetUtcNow(), max: 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((first, second, third), Is.EqualTo((new ExpirySlice(0, 3), new ExpirySlice(0, 2), new ExpirySlice(0, 0))));
            Assert.That(completed.Select(t => journal.FindPayload(t.Sequence)), Is.All.Null, "completed two hours ago");
            Assert.That(completed.Select(t => journal.Find(t.Id)?.State), Is.All.EqualTo(TaskState.Completed), "the tasks stay");
            Assert.That(journal.FindPayload(failed.Sequence), Is.Not.Null, "a failed task keeps its payload");
            Assert.That(journal.FindPayload(late.Sequence), Is.Not.Null, "completed just now");
        }

        _clock.Advance(TimeSpan.FromDays(7));
        Assert.That(journal.Expire(policy, _clock.GetUtcNow(), max: 100), Is.EqualTo(new ExpirySlice(Tasks: 7, Payloads: 0)), "the tasks go, early-dropped payloads or not");
    }

    [Test]
    public void ExpirySlices_AtEverNewCutoffs_CompileNoNewQueries_SoMemoryDoesNotGrowWithThem()
    {
        using var journal = new TaskJournal(_path, durable: false);
        for (var i = 0; i < 60; i++)
        {
            Finished(journal, i % 3 == 0 ? TaskState.Failed : TaskState.Completed);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        var policy = RetentionPolicy.All(TimeSpan.FromMinutes(1)) with { CompletedPayload = TimeSpan.FromSeconds(30) };
        journal.Expire(policy, _clock.GetUtcNow(), max: 2);
        var before = CompiledQueries.Count;
        var deleted = 0;
        for (var slice = 0; slice < 100; slice++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            deleted += journal.Expire(policy, _clock.GetUtcNow(), max: 2).Total;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.GreaterThan(60), "the slices did expire tasks and drop payloads");
            Assert.That(CompiledQueries.Count, Is.EqualTo(before), "a hundred slices, each with its own cutoff, left no compiled query behind");
        }
    }

    [Test]
    public void ExpiredId_IsUnknown_AndCanBeJournaledAgainAsANewTask()
    {
        using var journal = new TaskJournal(_path, durable: false);
        var first = Finished(journal, TaskState.Completed);
        _clock.Advance(TimeSpan.FromDays(8));
        journal.Expire(RetentionPolicy.All(TimeSpan.FromDays(7)), _clock.GetUtcNow(), max: 100);

        var again = Snapshot(TaskState.Pending) with { Id = first.Id, ContentHash = "other content" };
        journal.Commit([again], [new(again.Id, "second life")]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Find(first.Id), Is.EqualTo(again));
            Assert.That(journal.FindPayload(again.Sequence), Is.EqualTo("second life"));
            Assert.That(journal.Expire(RetentionPolicy.All(TimeSpan.FromDays(7)), _clock.GetUtcNow(), max: 100).Tasks, Is.Zero);
        }
    }

    private TaskSnapshot Accepted(TaskJournal journal)
    {
        var task = Snapshot(TaskState.Pending);
        journal.Commit([task], [new(task.Id, $"payload {task.Sequence}")]);
        return task;
    }

    /// <summary>
    /// A task accepted and finished now, as the loop journals it: first its acceptance, then its end; then its document
    /// written, as the materializer does within a second (expiry judges written documents only).
    /// </summary>
    private TaskSnapshot Finished(TaskJournal journal, TaskState outcome)
    {
        var task = Accepted(journal);
        var done = task with { State = outcome, Attempts = 1, FinishedAt = _clock.GetUtcNow() };
        journal.Commit([done], []);
        journal.CatchUp();
        return done;
    }

    private TaskSnapshot Snapshot(TaskState state) =>
        new(Guid.NewGuid(), 0, ++_sequence, state, 0, null, _clock.GetUtcNow(), null, null, null, null, null, "ABCDEF", 11);
}
