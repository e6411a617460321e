using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// A real engine on the in-memory journal and broker, with a fake clock, as the engine tests build it: a base class
/// whose set-up builds them afresh for each test and whose tear-down stops and releases them, and the builder itself
/// for tests that want an engine of their own.
/// </summary>
public abstract class EngineOnFakes
{
    protected DeliveryLog Log { get; private set; } = null!;

    protected FakeJournal Journal { get; private set; } = null!;

    protected FakePublisher Broker { get; private set; } = null!;

    protected FakeTimeProvider Clock { get; private set; } = null!;

    protected JournalStatus Status { get; private set; } = null!;

    protected PublishedView State { get; private set; } = null!;

    protected CancellationTokenSource Stopping { get; private set; } = null!;

    protected TaskTracing Tracing { get; private set; } = null!;

    protected SchedulerEngine Engine { get; private set; } = null!;

    [SetUp]
    public void SetUpEngine()
    {
        Log = new DeliveryLog();
        Journal = new FakeJournal(Log);
        Broker = new FakePublisher(Log, Journal);
        Clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        Status = new JournalStatus();
        State = new PublishedView();
        Stopping = new CancellationTokenSource();
        Tracing = new TaskTracing();
        Engine = Build(Journal, Broker, Clock, Tracing, State, Status, Outage());
    }

    [TearDown]
    public void TearDownEngine()
    {
        Journal.ReleaseFsync();
        Stopping.Cancel();
        Stopping.Dispose();
        Tracing.Dispose();
        Journal.Dispose();
    }

    /// <summary>The journal outage the set-up's engine waits out a refused write with; none unless a test class says.</summary>
    protected virtual JournalOutage? Outage() => null;

    /// <summary>
    /// The engine; <paramref name="outage"/> makes it wait out a journal whose disk refuses writes, as the scheduler's
    /// does, where without one every failed write is a failed commit.
    /// </summary>
    public static SchedulerEngine Build(
        IJournal journal, ITurnPublisher broker, TimeProvider clock, TaskTracing tracing, PublishedView state, JournalStatus status,
        JournalOutage? outage = null, ScheduleRunner? schedules = null)
    {
        var series = new TimeSeries(TimeSpan.FromSeconds(1));
        var telemetry = new SchedulerTelemetry(new SchedulerMetrics(state, series, status), series, new RecentFailures(), tracing, clock);
        return new SchedulerEngine(
            new SchedulerCore(new LivenessOptions(TimeSpan.FromSeconds(1), 3), clock),
            journal,
            broker,
            state,
            new WorkerDemandEstimator(new AutoscaleOptions(), clock),
            clock,
            telemetry,
            NullLogger<SchedulerEngine>.Instance,
            new PayloadCache(1 << 20),
            RetentionPolicy.All(TimeSpan.FromDays(7)),
            schedules,
            outage);
    }
}
