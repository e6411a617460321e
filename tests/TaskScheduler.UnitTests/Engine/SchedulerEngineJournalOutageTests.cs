using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// The engine on a journal whose disk is full (issue 14): it holds the group, stops accepting, says why, and once
/// the disk takes the group again delivers it as if nothing had happened; nothing is sent or acknowledged before.
/// </summary>
public class SchedulerEngineJournalOutageTests
{
    private DeliveryLog _log = null!;
    private FakeJournal _journal = null!;
    private FakePublisher _broker = null!;
    private FakeTimeProvider _clock = null!;
    private JournalStatus _status = null!;
    private SchedulerEngine _engine = null!;
    private CancellationTokenSource _stop = null!;
    private TaskTracing _tracing = null!;

    [SetUp]
    public void SetUp()
    {
        _log = new DeliveryLog();
        _journal = new FakeJournal(_log);
        _broker = new FakePublisher(_log, _journal);
        _clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _status = new JournalStatus();
        _stop = new CancellationTokenSource();
        _tracing = new TaskTracing();
        var state = new SchedulerState();
        var outage = new JournalOutage(_journal, _status, state, new FakeInputSource(_log), _clock, NullLogger<JournalOutage>.Instance);
        _engine = EngineOnFakes.Build(_journal, _broker, _clock, _tracing, state, _status, outage);
    }

    [TearDown]
    public void TearDown()
    {
        _stop.Cancel();
        _stop.Dispose();
        _tracing.Dispose();
        _journal.Dispose();
    }

    [Test]
    public async Task AGroupTheDiskRefuses_IsHeldAndWrittenAgain_ThenDeliveredOnce()
    {
        var delivery = Task.Run(() => _engine.DeliverAsync(_stop.Token));
        var task = Guid.NewGuid();
        _journal.FailWrite = new IOException("No space left on device : '/data/journal-log.db'");
        var run = _engine.RunAsync(
            [new WorkerMessage(1, new TaskScheduler.Contracts.Messages.WorkerJoined("w1", 4, "host-1", 4242, _clock.GetUtcNow())),
             new BrokerSubmission(1, Spec(task), null, Encoding.UTF8.GetBytes($"job {task}"), null)],
            checkLiveness: false, drained: true, _stop.Token);
        await _log.WaitFor(e => e == "pause accepting", "the engine to stop accepting");
        var problem = _status.Problem;
        var sentWhileFull = _log.Entries.Where(e => e.StartsWith("assign", StringComparison.Ordinal) || e.StartsWith("ack", StringComparison.Ordinal)).ToList();

        // A retry while the disk is still full, then one after space returned.
        _clock.Advance(JournalOutage.FirstRetry);
        await _log.WaitFor(e => e == "reopen", "a retry on the reopened journal");
        _journal.FailWrite = null;
        while (!run.IsCompleted)
        {
            _clock.Advance(JournalOutage.MaxRetryInterval);
            await Task.WhenAny(run, Task.Delay(50));
        }

        await run;
        await _log.WaitFor(e => e == "ack submissions 1", "the acknowledgement");
        _engine.CompleteDelivery();
        await delivery;
        var entries = _log.Entries.ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem, Does.Contain("No space left on device"), "the reason is reported while the disk is full");
            Assert.That(sentWhileFull, Is.Empty, "nothing is sent or acknowledged while the group is not written");
            Assert.That(_status.Problem, Is.Null, "writable again");
            Assert.That(_status.Outages, Is.EqualTo(1));
            Assert.That(entries.Count(e => e == $"assign {task}"), Is.EqualTo(1), "the assignment goes out once");
            Assert.That(entries.IndexOf($"assign {task}"), Is.GreaterThan(entries.IndexOf("resume accepting")), "after the group was written");
            Assert.That(entries.Count(e => e.StartsWith("write", StringComparison.Ordinal) && !e.Contains("failed", StringComparison.Ordinal)), Is.EqualTo(1),
                "the held group is written once it can be");
        }
    }

    [Test]
    public async Task AScheduleWriteTheDiskRefuses_IsWaitedOut_AndTheScheduleKept()
    {
        var store = new RefusingScheduleStore { Refusals = 2 };
        var state = new SchedulerState();
        var outage = new JournalOutage(_journal, _status, state, new FakeInputSource(_log), _clock, NullLogger<JournalOutage>.Instance);
        var schedules = new ScheduleRunner(new ScheduleBook(), store, NullLogger<ScheduleRunner>.Instance);
        var engine = EngineOnFakes.Build(_journal, _broker, _clock, _tracing, state, _status, outage, schedules);
        var delivery = Task.Run(() => engine.DeliverAsync(_stop.Token));
        var reply = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nightly = new ScheduleDefinition("nightly", "0 2 * * *", "UTC", MisfirePolicy.Skip, """{"payload":"report"}""");

        var run = engine.RunAsync([new ScheduleRequest("nightly", ScheduleAction.Put, reply) { Definition = nightly }],
            checkLiveness: false, drained: true, _stop.Token);
        await _log.WaitFor(e => e == "pause accepting", "the engine to stop accepting");
        var problem = _status.Problem;
        while (!run.IsCompleted)
        {
            _clock.Advance(JournalOutage.MaxRetryInterval);
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
            Assert.That(_status.Problem, Is.Null, "writable again");
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
