using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>A real engine on the in-memory journal and broker, with a fake clock, as the engine tests build it.</summary>
public static class EngineOnFakes
{
    /// <summary>
    /// The engine; <paramref name="outage"/> makes it wait out a journal whose disk refuses writes, as the scheduler's
    /// does, where without one every failed write is a failed commit.
    /// </summary>
    public static SchedulerEngine Build(
        FakeJournal journal, FakePublisher broker, FakeTimeProvider clock, TaskTracing tracing, SchedulerState state, JournalStatus status,
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
