using System.Text;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// A batch submission on the engine's in-memory journal and broker: its tasks are judged one by one in one turn,
/// written in one journal write; only the refused tasks' own bytes go to the rejected queue; the reply and the
/// acknowledgement follow the durable commit.
/// </summary>
[CancelAfter(60_000)]
public class SchedulerEngineBatchTests : EngineOnFakes
{
    [Test]
    public async Task BrokerBatch_AcceptsTheGoodTasks_RefusesTheBadOnesAlone_AndRepliesOnlyOnceDurable()
    {
        var delivery = Task.Run(() => Engine.DeliverAsync(Stopping.Token));
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var bad = """{"id":"nope","payload":"x"}""";
        var json = $$"""
            {"tasks":[{{TaskJson(a, "a")}},{{bad}},{{TaskJson(b, "b")}},{{TaskJson(a, "a")}},{{TaskJson(c, "c", dependsOn: Guid.NewGuid())}}]}
            """;
        var body = Encoding.UTF8.GetBytes(json);
        Assert.That(BatchParser.TryParse(body, 1000, out var entries, out _), Is.True);
        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        Journal.HoldFsync();

        await Engine.RunAsync([new BrokerBatchSubmission(7, entries, null, body, null, reply)], checkLiveness: false, drained: true, Stopping.Token);
        await Log.WaitFor(e => e == "fsync started", "the batch's fsync");
        Assert.That(reply.Task.IsCompleted, Is.False, "no answer before the batch is durable");

        Journal.ReleaseFsync();
        var answer = await reply.Task;
        await Log.WaitFor(e => e == "ack submissions 7", "the acknowledgement");
        var log = Log.Entries.ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Tasks.Select(t => t.Outcome), Is.EqualTo(new[]
                { BatchOutcome.Accepted, BatchOutcome.Refused, BatchOutcome.Accepted, BatchOutcome.Duplicate, BatchOutcome.Refused }));
            Assert.That((answer.Accepted, answer.Duplicates, answer.Refused), Is.EqualTo((2, 1, 2)));
            Assert.That(answer.Tasks[4].Reason, Does.Contain("which is unknown or expired"));
            Assert.That(answer.Tasks[4].Id, Is.EqualTo(c));
            Assert.That(log.Count(e => e.StartsWith("write", StringComparison.Ordinal)), Is.EqualTo(1), "one journal write for the batch");
            Assert.That(log.Single(e => e.StartsWith("write", StringComparison.Ordinal)), Is.EqualTo($"write {string.Join(",", new[] { a, b }.Order())}"));
            Assert.That(Broker.Stored, Is.EqualTo(new[] { bad, TaskJson(c, "c", dependsOn: entries![4].Task!.DependsOn[0]) }),
                "each refused task is copied alone, not the batch");
            Assert.That(log.IndexOf("ack submissions 7"), Is.GreaterThan(log.IndexOf("fsync done")));
        }

        Engine.CompleteDelivery();
        await delivery;
    }

    [Test]
    public async Task HttpBatch_ResubmittedAfterItsCommit_AnswersDuplicateForEveryTask()
    {
        var delivery = Task.Run(() => Engine.DeliverAsync(Stopping.Token));
        var json = $$"""{"tasks":[{{TaskJson(Guid.NewGuid(), "a")}},{{TaskJson(Guid.NewGuid(), "b")}}]}""";

        var first = await SubmitHttp(json);
        var second = await SubmitHttp(json);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Tasks.Select(t => t.Outcome), Is.All.EqualTo(BatchOutcome.Accepted));
            Assert.That(second.Tasks.Select(t => t.Outcome), Is.All.EqualTo(BatchOutcome.Duplicate));
            Assert.That(Broker.Stored, Is.Empty, "an HTTP batch's refusals are answered, not copied");
        }

        Engine.CompleteDelivery();
        await delivery;
    }

    [Test]
    public async Task BrokerBatch_RefusedWhole_IsCopiedOnce_AndItsReplySaysWhy()
    {
        var delivery = Task.Run(() => Engine.DeliverAsync(Stopping.Token));
        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = Encoding.UTF8.GetBytes("""{"tasks":[]}""");
        Assert.That(BatchParser.TryParse(body, 1000, out _, out var rejection), Is.False);

        await Engine.RunAsync([new BrokerBatchSubmission(3, null, rejection, body, null, reply)], checkLiveness: false, drained: true, Stopping.Token);
        var answer = await reply.Task;
        await Log.WaitFor(e => e == "ack submissions 3", "the acknowledgement");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Error, Is.EqualTo("a batch holds at least one task; 'tasks' is empty"));
            Assert.That(answer.Tasks, Is.Empty);
            Assert.That(Broker.Stored, Is.EqualTo(new[] { """{"tasks":[]}""" }));
        }

        Engine.CompleteDelivery();
        await delivery;
    }

    private async Task<SubmitTasksReply> SubmitHttp(string json)
    {
        Assert.That(BatchParser.TryParse(Encoding.UTF8.GetBytes(json), 1000, out var entries, out _), Is.True);
        var reply = new TaskCompletionSource<SubmitTasksReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Engine.RunAsync([new HttpBatchSubmission(entries!, reply)], checkLiveness: false, drained: true, Stopping.Token);
        return await reply.Task;
    }

    private static string TaskJson(Guid id, string payload, Guid? dependsOn = null) => dependsOn is { } d
        ? $$"""{"id":"{{id}}","payload":"{{payload}}","dependsOn":["{{d}}"]}"""
        : $$"""{"id":"{{id}}","payload":"{{payload}}"}""";
}
