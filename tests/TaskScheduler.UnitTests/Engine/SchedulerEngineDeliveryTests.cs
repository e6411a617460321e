using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// The engine's ordering rules, on an in-memory journal and broker: what a turn decides is sent, and what it
/// consumed acknowledged, only once its journal write is durable; a failed commit acknowledges nothing; refused
/// inputs whose store failed are stored again, in order, before anything later is acknowledged; a stop delivers
/// every written turn, in order.
/// </summary>
[CancelAfter(60_000)]
public class SchedulerEngineDeliveryTests : EngineOnFakes
{
    [Test]
    public async Task Orders_AreSentOnlyOnceTheirTurnIsDurable()
    {
        var delivery = StartDelivery();
        Journal.HoldFsync();
        var task = Guid.NewGuid();
        var reply = new TaskCompletionSource<SubmitVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Run(Join("w1", tag: 1), Submission(task, tag: 1), new HttpSubmission(Spec(Guid.NewGuid()), reply));
        await Log.WaitFor(e => e == "fsync started", "the turn's fsync");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Log.Entries.Where(e => !e.StartsWith("write", StringComparison.Ordinal) && e != "fsync started"), Is.Empty,
                "nothing is sent or acknowledged while the turn is not durable");
            Assert.That(reply.Task.IsCompleted, Is.False, "the HTTP caller is not answered before the commit is durable");
        }

        Journal.ReleaseFsync();
        await Log.WaitFor(e => e == "ack submissions 1", "the acknowledgement");
        var entries = Log.Entries.ToList();
        var durable = entries.IndexOf("fsync done");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entries.IndexOf($"assign {task}"), Is.GreaterThan(durable));
            Assert.That(entries.FindIndex(e => e.StartsWith("event", StringComparison.Ordinal)), Is.GreaterThan(durable));
            Assert.That(Broker.Undurable, Is.Empty);
            Assert.That(await reply.Task, Is.EqualTo(SubmitVerdict.Accepted));
        }

        await Stop(delivery);
    }

    [Test]
    public async Task Acknowledgements_FollowTheDurableCommitOfTheirTurn_TurnByTurn()
    {
        var delivery = StartDelivery();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await Run(Submission(first, tag: 1));
        await Run(Submission(second, tag: 2));
        await Log.WaitFor(e => e == "ack submissions 2", "the second acknowledgement");

        var entries = Log.Entries.ToList();
        using (Assert.EnterMultipleScope())
        {
            foreach (var (task, ack) in new[] { (first, "ack submissions 1"), (second, "ack submissions 2") })
            {
                var written = entries.FindIndex(e => e.StartsWith("write", StringComparison.Ordinal) && e.Contains(task.ToString(), StringComparison.Ordinal));
                var acknowledged = entries.IndexOf(ack);
                Assert.That(written, Is.GreaterThanOrEqualTo(0), $"{task} is written");
                Assert.That(acknowledged, Is.GreaterThan(written), ack);
                Assert.That(entries.Skip(written).Take(acknowledged - written), Does.Contain("fsync done"), $"an fsync between the write of {task} and {ack}");
            }

            Assert.That(entries.IndexOf("ack submissions 1"), Is.LessThan(entries.IndexOf("ack submissions 2")));
        }

        await Stop(delivery);
    }

    [Test]
    public async Task FailedFsync_AcknowledgesAndSendsNothing_AndStopsTheLoop()
    {
        var delivery = StartDelivery();
        Journal.FailFsync = new IOException("No space left on device");
        var reply = new TaskCompletionSource<SubmitVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Run(Join("w1", tag: 1), Submission(Guid.NewGuid(), tag: 1), new HttpSubmission(Spec(Guid.NewGuid()), reply));

        Assert.That(async () => await Within(delivery), Throws.InstanceOf<IOException>());
        Assert.That(async () => await Run(Submission(Guid.NewGuid(), tag: 2)), Throws.Exception, "the loop's next hand-over stops it");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Log.Entries.Where(e => e.StartsWith("ack", StringComparison.Ordinal)), Is.Empty);
            Assert.That(Log.Entries.Where(e => e.StartsWith("assign", StringComparison.Ordinal) || e.StartsWith("event", StringComparison.Ordinal)), Is.Empty);
            Assert.That(reply.Task.IsCompleted, Is.False);
        }
    }

    [Test]
    public async Task FailedWrite_AcknowledgesNothingOfItsTurn_WhileEarlierTurnsAreDelivered()
    {
        var delivery = StartDelivery();
        Journal.HoldFsync();
        await Run(Submission(Guid.NewGuid(), tag: 1));
        await Log.WaitFor(e => e == "fsync started", "the first turn's fsync");
        Journal.FailWrite = new IOException("No space left on device");

        Assert.That(async () => await Run(Submission(Guid.NewGuid(), tag: 2)), Throws.InstanceOf<IOException>());
        Journal.ReleaseFsync();
        Assert.That(async () => await Within(delivery), Throws.InstanceOf<IOException>(), "delivery ends with the failed commit");
        Assert.That(Log.Entries.Where(e => e.StartsWith("ack", StringComparison.Ordinal)), Is.EqualTo(new[] { "ack submissions 1" }));
    }

    [Test]
    public async Task FailedStoreOfRefusals_IsRetriedWithTheNextTurn_InOrder_BeforeAnythingIsAcknowledged()
    {
        var delivery = StartDelivery();
        Broker.RejectionStoreFailures = 1;
        await Run(Refused("bad 1", tag: 1));
        await Log.WaitFor(e => e == "store refusals failed", "the failed store");
        Assert.That(Log.Entries.Where(e => e.StartsWith("ack", StringComparison.Ordinal)), Is.Empty, "a refusal not stored is not acknowledged");

        await Run(Refused("bad 2", tag: 2));
        await Log.WaitFor(e => e == "ack submissions 2", "the acknowledgement");

        var entries = Log.Entries.ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Broker.Stored, Is.EqualTo(new[] { "bad 1", "bad 2" }), "stored again, in the order received");
            Assert.That(entries.IndexOf("store bad 2"), Is.LessThan(entries.IndexOf("ack submissions 2")));
            Assert.That(entries, Does.Not.Contain("ack submissions 1"));
        }

        await Stop(delivery);
    }

    [Test]
    public async Task Stop_DeliversEveryWrittenTurn_InOrder()
    {
        var delivery = StartDelivery();
        Journal.HoldFsync();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await Run(Submission(first, tag: 1));
        await Log.WaitFor(e => e == "fsync started", "the first turn's fsync");
        await Run(Submission(second, tag: 2));

        Engine.CompleteDelivery();
        Journal.ReleaseFsync();
        await Within(delivery);

        var entries = Log.Entries.ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entries.Where(e => e.StartsWith("ack", StringComparison.Ordinal)), Is.EqualTo(new[] { "ack submissions 1", "ack submissions 2" }));
            Assert.That(entries.IndexOf($"event {first} Pending"), Is.GreaterThanOrEqualTo(0));
            Assert.That(entries.IndexOf($"event {first} Pending"), Is.LessThan(entries.IndexOf($"event {second} Pending")));
        }
    }

    private static ParsedSubmission Spec(Guid id)
    {
        var payload = $"job {id}";
        return new ParsedSubmission(id, payload, 0, SubmissionParser.ContentHash(payload), payload.Length);
    }

    private static BrokerSubmission Submission(Guid id, ulong tag) => new(tag, Spec(id), null, Encoding.UTF8.GetBytes($"job {id}"), null);

    private static BrokerSubmission Refused(string body, ulong tag) =>
        new(tag, null, new InputRejection(null, "not a submission"), Encoding.UTF8.GetBytes(body), null);

    private WorkerMessage Join(string workerId, ulong tag) => new(tag, new WorkerJoined(workerId, 4, "host-1", 4242, Clock.GetUtcNow()));

    private Task<bool> Run(params SchedulerInput[] inputs) => Engine.RunAsync(inputs, checkLiveness: false, drained: true, Stopping.Token);

    private Task StartDelivery() => Task.Run(() => Engine.DeliverAsync(Stopping.Token));

    private async Task Stop(Task delivery)
    {
        Engine.CompleteDelivery();
        await Within(delivery);
    }

    /// <summary>Awaits delivery's end, failing the test instead of hanging when it never comes.</summary>
    private static async Task Within(Task delivery)
    {
        if (await Task.WhenAny(delivery, Task.Delay(TimeSpan.FromSeconds(30))) != delivery)
        {
            Assert.Fail("delivery did not end within 30 s");
        }

        await delivery;
    }
}
