using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Transport;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.UnitTests;

/// <summary>Several assignments or results per broker message: who gets what, and what a forged batch gets.</summary>
public class MessageBatchingTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public void Assignments_GoOneMessagePerWorker_InTheOrderDecided()
    {
        var orders = new[] { "w1", "w2", "w1", "w3", "w1" }.Select((w, i) => Order(w, $"task {i}")).ToList();

        var batches = AssignmentBatches.Split(orders).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(batches, Has.Count.EqualTo(3));
            Assert.That(batches.All(b => b.Select(o => o.Assignment.WorkerId).Distinct().Count() == 1), "a message goes to one worker's queue");
            Assert.That(batches[0].Select(o => o.Payload), Is.EqualTo(new[] { "task 0", "task 2", "task 4" }));
            Assert.That(batches.Sum(b => b.Count), Is.EqualTo(orders.Count), "every order is sent, once");
        }
    }

    [Test]
    public void Assignments_WithLargePayloads_AreSplitSoNoMessageGrowsPastTheLimit()
    {
        var big = new string('x', 600);
        var orders = Enumerable.Range(0, 5).Select(_ => Order("w1", big)).Append(Order("w1", new string('y', 5000))).ToList();

        var batches = AssignmentBatches.Split(orders, maxPayloadChars: 1300).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 2, 2, 1, 1 }), "two 600-char payloads fit in 1300, a third does not");
            Assert.That(batches[^1].Single().Payload, Has.Length.EqualTo(5000), "a payload over the limit travels alone, never dropped");
        }
    }

    [Test]
    public void ResultBatch_FromItsWorker_IsReadAsEveryResultInIt()
    {
        var batch = new TasksFinished("w1", [Result("w1"), Result("w1")]);
        var body = JsonSerializer.SerializeToUtf8Bytes(batch, WireJson.Default.TasksFinished);

        var read = WorkerEventReader.Read(Topology.WorkerEventKey("w1", Topology.WorkerEvents.Results), body);

        Assert.That(((TasksFinished)read).Results.Select(r => r.TaskId), Is.EqualTo(batch.Results.Select(r => r.TaskId)));
    }

    [Test]
    public void ResultBatch_CarryingAnotherWorkersResult_IsRefusedWhole()
    {
        var forged = new TasksFinished("w1", [Result("w1"), Result("w2")]);
        var body = JsonSerializer.SerializeToUtf8Bytes(forged, WireJson.Default.TasksFinished);

        Assert.That(
            () => WorkerEventReader.Read(Topology.WorkerEventKey("w1", Topology.WorkerEvents.Results), body),
            Throws.InstanceOf<FormatException>());
    }

    [Test]
    public void ResultBatch_ThatIsEmpty_IsRefused()
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new TasksFinished("w1", []), WireJson.Default.TasksFinished);

        Assert.That(
            () => WorkerEventReader.Read(Topology.WorkerEventKey("w1", Topology.WorkerEvents.Results), body),
            Throws.InstanceOf<FormatException>());
    }

    [Test]
    public async Task Results_FinishingWhileOneIsOnItsWay_GoTogetherInTheNextMessage()
    {
        var messages = new List<IReadOnlyList<TaskFinished>>();
        var firstConfirm = new TaskCompletionSource();
        var batcher = new ResultBatcher(
            async results =>
            {
                lock (messages)
                {
                    messages.Add(results);
                }

                if (messages.Count == 1)
                {
                    await firstConfirm.Task;
                }
            },
            messagesInFlight: 1);

        var first = batcher.SendAsync(Result("w1"), CancellationToken.None);
        await WaitUntilAsync(() => messages.Count == 1);
        var rest = Enumerable.Range(0, 5).Select(_ => batcher.SendAsync(Result("w1"), CancellationToken.None)).ToList();
        Assert.That(rest.Any(t => t.IsCompleted), Is.False, "nothing is confirmed before its message is");

        firstConfirm.SetResult();
        await Task.WhenAll(rest.Append(first)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(messages.Select(m => m.Count), Is.EqualTo(new[] { 1, 5 }), "the first goes at once, the five that waited share one message");
    }

    [Test]
    public async Task Result_GoesOutAtOnce_WhileFewerMessagesThanTheLimitAwaitTheirConfirm()
    {
        var published = 0;
        var confirms = new TaskCompletionSource();
        var batcher = new ResultBatcher(
            async _ =>
            {
                Interlocked.Increment(ref published);
                await confirms.Task;
            },
            messagesInFlight: 2);

        var first = batcher.SendAsync(Result("w1"), CancellationToken.None);
        await WaitUntilAsync(() => Volatile.Read(ref published) == 1);
        var second = batcher.SendAsync(Result("w1"), CancellationToken.None);
        await WaitUntilAsync(() => Volatile.Read(ref published) == 2);
        var third = batcher.SendAsync(Result("w1"), CancellationToken.None);
        await Task.Delay(100);

        Assert.That(Volatile.Read(ref published), Is.EqualTo(2), "the third waits: two messages already await their confirm");
        confirms.SetResult();
        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(published, Is.EqualTo(3));
    }

    [Test]
    public async Task Results_WhoseMessageFails_FailForTheirCallers_AndLaterOnesStillGo()
    {
        var calls = 0;
        var batcher = new ResultBatcher(_ => Interlocked.Increment(ref calls) == 1
            ? Task.FromException(new IOException("connection reset"))
            : Task.CompletedTask);

        var failed = batcher.SendAsync(Result("w1"), CancellationToken.None);
        Assert.That(async () => await failed.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<IOException>());

        await batcher.SendAsync(Result("w1"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public void DeliveryParts_SayDoneOnlyForTheLastOrderOfAMessage()
    {
        var parts = new DeliveryParts(3);

        Assert.That(new[] { parts.Done(), parts.Done(), parts.Done() }, Is.EqualTo(new[] { false, false, true }));
    }

    private static (Assignment Assignment, string Payload) Order(string workerId, string payload) =>
        (new Assignment(Guid.NewGuid(), 1, 0, workerId, At), payload);

    private static TaskFinished Result(string workerId) =>
        new(workerId, Guid.NewGuid(), 1, TaskOutcome.Completed, null, At, At.AddMilliseconds(5));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), "timed out");
    }
}
