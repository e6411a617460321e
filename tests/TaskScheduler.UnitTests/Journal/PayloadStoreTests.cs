using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// Large payloads in files beside the journal, on a real directory: written once, read back byte for byte after a
/// reopen, deleted with their task, and whatever a crash leaves unreferenced removed when the journal opens.
/// </summary>
public class PayloadStoreTests
{
    private const int Threshold = 4096;
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private string _directory = "";
    private string _path = "";
    private string _files = "";

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"payloads-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "journal.db");
        _files = Path.Combine(_directory, "journal-payloads");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void LargePayload_IsReadBackByteForByteAfterAReopen_FromAFileBesideTheJournal_AndASmallOneStaysInside()
    {
        var large = LargePayload('é', times: 100_000); // 1.2 MB
        var (big, small) = (Task(1, large), Task(2, "small"));
        using (var journal = new TaskJournal(_path, durable: true, largePayloadChars: Threshold))
        {
            journal.Commit([big, small], [new(big.Id, large), new(small.Id, "small")]);
        }

        using var reopened = new TaskJournal(_path, durable: true, largePayloadChars: Threshold);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.FindPayload(big.Sequence), Is.EqualTo(large));
            Assert.That(reopened.FindPayload(small.Sequence), Is.EqualTo("small"));
            Assert.That(Directory.GetFiles(_files).Select(Path.GetFileName), Is.EqualTo(new[] { "0000000000000000001.payload" }), "one file, the large payload's");
            Assert.That(File.ReadAllBytes(Directory.GetFiles(_files)[0]), Is.EqualTo(Encoding.UTF8.GetBytes(large)), "the payload as UTF-8, nothing else");
            Assert.That(new FileInfo(_path).Length, Is.LessThan(Encoding.UTF8.GetByteCount(large)), "the journal's file does not hold it");
        }
    }

    [Test]
    public void DeletingATask_DeletesItsPayloadFile()
    {
        var payload = LargePayload('x');
        var task = Task(1, payload);
        using var journal = new TaskJournal(_path, durable: false, largePayloadChars: Threshold);
        journal.Commit([task], [new(task.Id, payload)]);
        journal.Commit([Finish(task)], []);

        Assert.That(journal.Delete(task.Id), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.FindPayload(task.Sequence), Is.Null);
            Assert.That(Directory.GetFiles(_files), Is.Empty);
        }
    }

    [Test]
    public void Expiry_DeletesThePayloadFilesOfExpiredTasks_AndOfCompletedTasksPastThePayloadRetention_AndNoOther()
    {
        var payload = LargePayload('y');
        var (expired, dropped, kept) = (Task(1, payload), Task(2, payload), Task(3, payload));
        using var journal = new TaskJournal(_path, durable: false, largePayloadChars: Threshold);
        journal.Commit([expired, dropped, kept], [new(expired.Id, payload), new(dropped.Id, payload), new(kept.Id, payload)]);
        journal.Commit([Finish(expired, TaskState.Failed), Finish(dropped)], []);
        journal.CatchUp();

        // Failed tasks kept a day, Completed ones an hour with their payload, a week without.
        var policy = new RetentionPolicy(TimeSpan.FromDays(7), TimeSpan.FromDays(1), TimeSpan.FromDays(1), TimeSpan.FromHours(1));
        var slice = journal.Expire(policy, Start.AddDays(2), max: 100);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(slice.Tasks, Is.EqualTo(1));
            Assert.That(slice.Payloads, Is.EqualTo(1));
            Assert.That(journal.Find(dropped.Id), Is.Not.Null, "the completed task is kept, without its payload");
            Assert.That(journal.FindPayload(kept.Sequence), Is.EqualTo(payload), "the pending task keeps its payload");
            Assert.That(Directory.GetFiles(_files).Select(Path.GetFileName), Is.EqualTo(new[] { "0000000000000000003.payload" }));
        }
    }

    [Test]
    public void Opening_RemovesFilesNoCommitReferences_AndKeepsTheOthers()
    {
        var payload = LargePayload('z');
        var task = Task(1, payload);
        using (var journal = new TaskJournal(_path, durable: false, largePayloadChars: Threshold))
        {
            journal.Commit([task], [new(task.Id, payload)]);
        }

        // What a crash leaves: a file written for a group that never committed (a later sequence), one whose task a
        // commit deleted before the file could be, and one torn half-way; and a file that is not ours.
        File.WriteAllText(Path.Combine(_files, "0000000000000000002.payload"), "written, never committed");
        File.WriteAllText(Path.Combine(_files, "0000000000000000000.payload"), "its task is gone");
        File.WriteAllText(Path.Combine(_files, "0000000000000000003.payload"), "torn");
        File.WriteAllText(Path.Combine(_files, "README"), "an operator's note");

        using var reopened = new TaskJournal(_path, durable: false, largePayloadChars: Threshold);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                Directory.GetFiles(_files).Select(Path.GetFileName).Order(),
                Is.EqualTo(new[] { "0000000000000000001.payload", "README" }));
            Assert.That(reopened.FindPayload(task.Sequence), Is.EqualTo(payload));
        }
    }

    [Test]
    public void ATornFile_ReadsAsNoPayload_RatherThanAWrongOne()
    {
        var payload = LargePayload('t');
        var task = Task(1, payload);
        using var journal = new TaskJournal(_path, durable: false, largePayloadChars: Threshold);
        journal.Commit([task], [new(task.Id, payload)]);
        var file = Directory.GetFiles(_files).Single();
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }

        Assert.That(journal.FindPayload(task.Sequence), Is.Null);
        File.Delete(file);
        Assert.That(journal.FindPayload(task.Sequence), Is.Null, "nor does a missing one");
    }

    [Test]
    public void AGroupWrittenAgainAfterAFailure_ReplacesItsFilesWhole()
    {
        var store = new PayloadStore(_files, Threshold, durable: true);
        var first = LargePayload('a');
        var second = LargePayload('b')[..(Threshold + 10)];
        store.Stage(5, first);
        store.WriteStaged();
        var document = store.Stage(5, second);
        store.WriteStaged();

        Assert.That(store.Read(document), Is.EqualTo(second));
    }

    private static string LargePayload(char c, int times = 1000) => string.Concat(Enumerable.Repeat($"{c}0123456789", times));

    private static TaskSnapshot Task(long sequence, string payload) =>
        new(Guid.NewGuid(), 0, sequence, TaskState.Pending, 0, null, Start, null, null, null, null, null, "ABCDEF", Encoding.UTF8.GetByteCount(payload));

    private static TaskSnapshot Finish(TaskSnapshot task, TaskState outcome = TaskState.Completed) =>
        task with { State = outcome, Attempts = 1, WorkerId = "w1", StartedAt = Start, FinishedAt = Start, Error = outcome == TaskState.Failed ? "boom" : null };
}
