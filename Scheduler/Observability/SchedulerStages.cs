using System.Diagnostics;
using System.Diagnostics.Metrics;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// Where a task's time goes on its way through the scheduler, stage by stage, as one histogram
/// (<see cref="TelemetryNames.StageDuration"/>, tagged <c>stage</c>) that <c>/metrics</c> exports and
/// <c>tasks bench</c> reads before and after a run:
/// <list type="bullet">
/// <item><c>consume</c>: a broker delivery read and queued for the loop (waits while the loop's input is full);</item>
/// <item><c>group_wait</c>: an input queued until the loop takes it into a turn;</item>
/// <item><c>apply</c>: the core applying a turn and dispatching; <c>commit</c>: the turn's journal write;</item>
/// <item><c>handover</c>: a written turn waiting for delivery (the previous turn's fsync and sends);</item>
/// <item><c>checkpoint</c>: LiteDB's log copied into its data file, between turns, when due (fsync included);</item>
/// <item><c>fsync</c>: making the written turns durable;</item>
/// <item><c>publish_wait</c>: a durable turn waiting for earlier turns' confirms (a few turns are in flight);</item>
/// <item><c>confirm</c>: a turn's assignments and events sent until the broker confirmed them all;</item>
/// <item><c>worker_start</c>: an assignment delivered to a worker until its handler started (the worker's clock);</item>
/// <item><c>slot_round_trip</c>: a worker's result (or pause) read off the broker until the assignment that refills its
/// slot, made by the same turn, is confirmed: the scheduler's share of a slot's idle time between two tasks (one
/// sample per worker and turn).</item>
/// </list>
/// Static, like the meter's instruments: recorded on the hot paths of the transport, the loop and delivery, each a
/// timestamp subtraction and an aggregation only while a listener (the Prometheus exporter) is attached.
/// </summary>
public static class SchedulerStages
{
    // Sub-millisecond to seconds, finely around the milliseconds where the latency targets are.
    private static readonly double[] Buckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075,
         0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly Meter Meter = new(TelemetryNames.Scheduler);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        TelemetryNames.StageDuration, "s", "Time a task or turn spends in one stage of the scheduler (tag stage)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    // Each stage's tag, made once so that recording allocates nothing.
    public static readonly KeyValuePair<string, object?> Consume = new("stage", "consume");
    public static readonly KeyValuePair<string, object?> TurnWait = new("stage", "group_wait");
    public static readonly KeyValuePair<string, object?> Apply = new("stage", "apply");
    public static readonly KeyValuePair<string, object?> Commit = new("stage", "commit");
    public static readonly KeyValuePair<string, object?> Handover = new("stage", "handover");
    public static readonly KeyValuePair<string, object?> Checkpoint = new("stage", "checkpoint");
    public static readonly KeyValuePair<string, object?> Fsync = new("stage", "fsync");
    public static readonly KeyValuePair<string, object?> PublishWait = new("stage", "publish_wait");
    public static readonly KeyValuePair<string, object?> Confirm = new("stage", "confirm");
    public static readonly KeyValuePair<string, object?> WorkerStart = new("stage", "worker_start");
    public static readonly KeyValuePair<string, object?> SlotRoundTrip = new("stage", "slot_round_trip");

    public static bool Enabled => Duration.Enabled;

    /// <summary>Records the time from <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp) until now.</summary>
    public static void Since(KeyValuePair<string, object?> stage, long since)
    {
        if (Duration.Enabled)
        {
            Duration.Record(Stopwatch.GetElapsedTime(since).TotalSeconds, stage);
        }
    }

    /// <summary>Records each result's start delay as its worker measured it (<see cref="WorkerStart"/>).</summary>
    public static void WorkerStarts(TasksFinished results)
    {
        if (!Duration.Enabled)
        {
            return;
        }

        foreach (var result in results.Results)
        {
            // Reported by a worker: anything but a sane number of milliseconds is left out.
            if (result.StartDelayMs is >= 0 and < 86_400_000 and var ms)
            {
                Duration.Record(ms / 1000, WorkerStart);
            }
        }
    }

    public static void Took(KeyValuePair<string, object?> stage, TimeSpan duration)
    {
        if (Duration.Enabled && duration >= TimeSpan.Zero)
        {
            Duration.Record(duration.TotalSeconds, stage);
        }
    }
}
