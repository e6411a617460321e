using System.Text;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// The slot round trip: a worker's result frees its slot in the turn that applies it, and the next task for that slot
/// leaves with that same turn's delivery, not a later one's.
/// </summary>
[CancelAfter(60_000)]
public class SchedulerEngineSlotTests
{
    [Test]
    public async Task TheTurnThatAppliesAResult_SendsTheNextAssignmentForThatSlot()
    {
        var log = new DeliveryLog();
        using var journal = new FakeJournal(log);
        var broker = new FakePublisher(log, journal);
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var tracing = new TaskTracing();
        using var stop = new CancellationTokenSource();
        var engine = EngineOnFakes.Build(journal, broker, clock, tracing, new PublishedView(), new JournalStatus());
        var delivery = Task.Run(() => engine.DeliverAsync(stop.Token));
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        // One slot: the first task takes it, the second waits.
        await Run(engine, stop, new WorkerMessage(1, new WorkerJoined("w1", 1, "host-1", 4242, clock.GetUtcNow())), Submission(first, 1), Submission(second, 2));
        await log.WaitFor(e => e == "ack submissions 2", "the first turn's delivery");
        Assert.That(log.Entries, Does.Contain($"assign {first}").And.Not.Contain($"assign {second}"));

        using var roundTrips = new SlotRoundTrips();
        var finished = new TaskFinished("w1", first, 1, TaskOutcome.Completed, null, clock.GetUtcNow(), clock.GetUtcNow());
        await Run(engine, stop, new WorkerMessage(2, new TasksFinished("w1", [finished])));
        await log.WaitFor(e => e == "ack worker events 2", "the result's turn delivered");
        // Recorded once the assignment is confirmed, which delivery awaits beside the acknowledgements.
        Assert.That(SpinWait.SpinUntil(() => roundTrips.Count > 0, TimeSpan.FromSeconds(30)), Is.True, "the slot's round trip recorded");

        var entries = log.Entries.ToList();
        var resultWritten = entries.FindLastIndex(e => e.StartsWith("write", StringComparison.Ordinal));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entries.IndexOf($"assign {second}"), Is.GreaterThan(resultWritten), "sent after the result's turn was written");
            Assert.That(entries.IndexOf($"assign {second}"), Is.LessThan(entries.IndexOf("ack worker events 2")),
                "by the turn that applied the result: no later turn ran");
            Assert.That(roundTrips.Count, Is.EqualTo(1), "one slot freed and refilled by one turn");
        }

        engine.CompleteDelivery();
        await delivery.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Counts the <c>slot_round_trip</c> samples of the stage histogram while it lives.</summary>
    private sealed class SlotRoundTrips : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private int _count;

        public SlotRoundTrips()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == TelemetryNames.StageDuration)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "stage", Value: "slot_round_trip" })
                    {
                        Interlocked.Increment(ref _count);
                    }
                }
            });
            _listener.Start();
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    private static Task<bool> Run(SchedulerEngine engine, CancellationTokenSource stop, params SchedulerInput[] inputs) =>
        engine.RunAsync(inputs, checkLiveness: false, drained: true, stop.Token);

    private static BrokerSubmission Submission(Guid id, ulong tag)
    {
        var payload = $"job {id}";
        return new BrokerSubmission(tag, new ParsedSubmission(id, payload, 0, SubmissionParser.ContentHash(payload), payload.Length), null, Encoding.UTF8.GetBytes(payload), null);
    }
}
