using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// The engine on a journal whose disk is full (issue 14): it holds the turn, stops accepting, says why, and once
/// the disk takes the turn again delivers it as if nothing had happened; nothing is sent or acknowledged before.
/// </summary>
public class SchedulerEngineJournalOutageTests : EngineOnFakes
{
    protected override JournalOutage? Outage() =>
        new(Journal, Status, State, new FakeInputSource(Log), Clock, NullLogger<JournalOutage>.Instance);

    [Test]
    public async Task ATurnTheDiskRefuses_IsHeldAndWrittenAgain_ThenDeliveredOnce()
    {
        var delivery = Task.Run(() => Engine.DeliverAsync(Stopping.Token));
        var task = Guid.NewGuid();
        Journal.FailWrite = new IOException("No space left on device : '/data/journal-log.db'");
        var run = Engine.RunAsync(
            [new WorkerMessage(1, new TaskScheduler.Contracts.Messages.WorkerJoined("w1", 4, "host-1", 4242, Clock.GetUtcNow())),
             new BrokerSubmission(1, Spec(task), null, Encoding.UTF8.GetBytes($"job {task}"), null)],
            checkLiveness: false, drained: true, Stopping.Token);
        await Log.WaitFor(e => e == "pause accepting", "the engine to stop accepting");
        var problem = Status.Problem;
        var sentWhileFull = Log.Entries.Where(e => e.StartsWith("assign", StringComparison.Ordinal) || e.StartsWith("ack", StringComparison.Ordinal)).ToList();

        // A retry while the disk is still full, then one after space returned.
        Clock.Advance(JournalOutage.FirstRetry);
        await Log.WaitFor(e => e == "reopen", "a retry on the reopened journal");
        Journal.FailWrite = null;
        while (!run.IsCompleted)
        {
            Clock.Advance(JournalOutage.MaxRetryInterval);
            await Task.WhenAny(run, Task.Delay(50));
        }

        await run;
        await Log.WaitFor(e => e == "ack submissions 1", "the acknowledgement");
        Engine.CompleteDelivery();
        await delivery;
        var entries = Log.Entries.ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem, Does.Contain("No space left on device"), "the reason is reported while the disk is full");
            Assert.That(sentWhileFull, Is.Empty, "nothing is sent or acknowledged while the turn is not written");
            Assert.That(Status.Problem, Is.Null, "writable again");
            Assert.That(Status.Outages, Is.EqualTo(1));
            Assert.That(entries.Count(e => e == $"assign {task}"), Is.EqualTo(1), "the assignment goes out once");
            Assert.That(entries.IndexOf($"assign {task}"), Is.GreaterThan(entries.IndexOf("resume accepting")), "after the turn was written");
            Assert.That(entries.Count(e => e.StartsWith("write", StringComparison.Ordinal) && !e.Contains("failed", StringComparison.Ordinal)), Is.EqualTo(1),
                "the held turn is written once it can be");
        }
    }

    [Test]
    public async Task AScheduleWriteTheDiskRefuses_IsWaitedOut_AndTheScheduleKept()
    {
        var store = new RefusingScheduleStore { Refusals = 2 };
        var state = new PublishedView();
        var outage = new JournalOutage(Journal, Status, state, new FakeInputSource(Log), Clock, NullLogger<JournalOutage>.Instance);
        var schedules = new ScheduleRunner(new ScheduleBook(), store, NullLogger<ScheduleRunner>.Instance);
        var engine = EngineOnFakes.Build(Journal, Broker, Clock, Tracing, state, Status, outage, schedules);
        var delivery = Task.Run(() => engine.DeliverAsync(Stopping.Token));
        var reply = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nightly = new ScheduleDefinition("nightly", "0 2 * * *", "UTC", MisfirePolicy.Skip, """{"payload":"report"}""");

        var run = engine.RunAsync([new ScheduleRequest("nightly", ScheduleAction.Put, reply) { Definition = nightly }],
            checkLiveness: false, drained: true, Stopping.Token);
        await Log.WaitFor(e => e == "pause accepting", "the engine to stop accepting");
        var problem = Status.Problem;
        while (!run.IsCompleted)
        {
            Clock.Advance(JournalOutage.MaxRetryInterval);
            await Task.WhenAny(run, Task.Delay(50));
        }

        await run;
        engine.CompleteDelivery();
        await delivery;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.IsFaulted, Is.False, "a full disk does not stop the scheduler");
            Assert.That(problem, Does.Contain("No space left on device"));
            Assert.That(store.Written, Is.EqualTo(new[] { "nightly" }), "the schedule is written once the disk takes it");
            Assert.That(Status.Problem, Is.Null, "writable again");
            Assert.That(await reply.Task, Is.EqualTo("created"));
        }
    }

    /// <summary>A schedule store on a disk that refuses its first <see cref="Refusals"/> writes.</summary>
    private sealed class RefusingScheduleStore : IScheduleStore
    {
        public int Refusals { get; set; }

        public List<string> Written { get; } = [];

        public IEnumerable<CronSchedule> Load() => [];

        public void Write(IReadOnlyCollection<CronSchedule> changed, IReadOnlyCollection<string> removed)
        {
            if (Refusals-- > 0)
            {
                throw new IOException("No space left on device : '/data/journal.db'");
            }

            Written.AddRange(changed.Select(s => s.Name));
        }
    }

    private static ParsedSubmission Spec(Guid id)
    {
        var payload = $"job {id}";
        return new ParsedSubmission(id, payload, 0, SubmissionParser.ContentHash(payload), payload.Length);
    }
}
