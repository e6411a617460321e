using System.Text;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// A batch submission on the engine's in-memory journal and broker: its tasks are judged one by one in one group,
/// written in one journal write; only the refused tasks' own bytes go to the rejected queue; the reply and the
/// acknowledgement follow the durable commit.
/// </summary>
[CancelAfter(60_000)]
public class SchedulerEngineBatchTests
{
    private DeliveryLog _log = null!;
    private FakeJournal _journal = null!;
    private FakePublisher _broker = null!;
    private SchedulerEngine _engine = null!;
    private CancellationTokenSource _stop = null!;
    private TaskTracing _tracing = null!;

    [SetUp]
    public void SetUp()
    {
        _log = new DeliveryLog();
        _journal = new FakeJournal(_log);
        _broker = new FakePublisher(_log, _journal);
        _stop = new CancellationTokenSource();
        _tracing = new TaskTracing();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _engine = EngineOnFakes.Build(_journal, _broker, clock, _tracing, new SchedulerState(), new JournalStatus());
    }

    [TearDown]
    public void TearDown()
    {
        _journal.ReleaseFsync();
        _stop.Cancel();
        _stop.Dispose();
        _tracing.Dispose();
        _journal.Dispose();
    }

    [Test]
    public async Task BrokerBatch_AcceptsTheGoodTasks_RefusesTheBadOnesAlone_AndRepliesOnlyOnceDurable()
    {
        var delivery = Task.Run(() => _engine.DeliverAsync(_stop.Token));
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var bad = """{"id":"nope","payload":"x"}""";
        var json = $$"""
            {"tasks":[{{TaskJson(a, "a")}},{{bad}},{{TaskJson(b, "b")}},{{TaskJson(a, "a")}},{{TaskJson(c, "c", dependsOn: Guid.NewGuid())}}]}
            """;
        var body = Encoding.UTF8.GetBytes(json);
        Assert.That(BatchParser.TryParse(body, 1000, out var entries, out _), Is.True);
        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.HoldFsync();

        await _engine.RunAsync([new BrokerBatchSubmission(7, entries, null, body, null, reply)], checkLiveness: false, drained: true, _stop.Token);
        await _log.WaitFor(e => e == "fsync started", "the batch's fsync");
        Assert.That(reply.Task.IsCompleted, Is.False, "no answer before the batch is durable");

        _journal.ReleaseFsync();
        var answer = await reply.Task;
        await _log.WaitFor(e => e == "ack submissions 7", "the acknowledgement");
        var log = _log.Entries.ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Tasks.Select(t => t.Outcome), Is.EqualTo(new[]
                { BatchOutcome.Accepted, BatchOutcome.Refused, BatchOutcome.Accepted, BatchOutcome.Duplicate, BatchOutcome.Refused }));
            Assert.That((answer.Accepted, answer.Duplicates, answer.Refused), Is.EqualTo((2, 1, 2)));
            Assert.That(answer.Tasks[4].Reason, Does.Contain("which is unknown or expired"));
            Assert.That(answer.Tasks[4].Id, Is.EqualTo(c));
            Assert.That(log.Count(e => e.StartsWith("write", StringComparison.Ordinal)), Is.EqualTo(1), "one journal write for the batch");
            Assert.That(log.Single(e => e.StartsWith("write", StringComparison.Ordinal)), Is.EqualTo($"write {string.Join(",", new[] { a, b }.Order())}"));
            Assert.That(_broker.Stored, Is.EqualTo(new[] { bad, TaskJson(c, "c", dependsOn: entries![4].Task!.DependsOn[0]) }),
                "each refused task is copied alone, not the batch");
            Assert.That(log.IndexOf("ack submissions 7"), Is.GreaterThan(log.IndexOf("fsync done")));
        }

        _engine.CompleteDelivery();
        await delivery;
    }

    [Test]
    public async Task HttpBatch_ResubmittedAfterItsCommit_AnswersDuplicateForEveryTask()
    {
        var delivery = Task.Run(() => _engine.DeliverAsync(_stop.Token));
        var json = $$"""{"tasks":[{{TaskJson(Guid.NewGuid(), "a")}},{{TaskJson(Guid.NewGuid(), "b")}}]}""";

        var first = await SubmitHttp(json);
        var second = await SubmitHttp(json);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Tasks.Select(t => t.Outcome), Is.All.EqualTo(BatchOutcome.Accepted));
            Assert.That(second.Tasks.Select(t => t.Outcome), Is.All.EqualTo(BatchOutcome.Duplicate));
            Assert.That(_broker.Stored, Is.Empty, "an HTTP batch's refusals are answered, not copied");
        }

        _engine.CompleteDelivery();
        await delivery;
    }

    [Test]
    public async Task BrokerBatch_RefusedWhole_IsCopiedOnce_AndItsReplySaysWhy()
    {
        var delivery = Task.Run(() => _engine.DeliverAsync(_stop.Token));
        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = Encoding.UTF8.GetBytes("""{"tasks":[]}""");
        Assert.That(BatchParser.TryParse(body, 1000, out _, out var rejection), Is.False);

        await _engine.RunAsync([new BrokerBatchSubmission(3, null, rejection, body, null, reply)], checkLiveness: false, drained: true, _stop.Token);
        var answer = await reply.Task;
        await _log.WaitFor(e => e == "ack submissions 3", "the acknowledgement");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Error, Is.EqualTo("a batch holds at least one task; 'tasks' is empty"));
            Assert.That(answer.Tasks, Is.Empty);
            Assert.That(_broker.Stored, Is.EqualTo(new[] { """{"tasks":[]}""" }));
        }

        _engine.CompleteDelivery();
        await delivery;
    }

    private async Task<SubmitTasksReply> SubmitHttp(string json)
    {
        Assert.That(BatchParser.TryParse(Encoding.UTF8.GetBytes(json), 1000, out var entries, out _), Is.True);
        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _engine.RunAsync([new HttpBatchSubmission(entries!, reply)], checkLiveness: false, drained: true, _stop.Token);
        return await reply.Task;
    }

    private static string TaskJson(Guid id, string payload, Guid? dependsOn = null) => dependsOn is { } d
        ? $$"""{"id":"{{id}}","payload":"{{payload}}","dependsOn":["{{d}}"]}"""
        : $$"""{"id":"{{id}}","payload":"{{payload}}"}""";
}
