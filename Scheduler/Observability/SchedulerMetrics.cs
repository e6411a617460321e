using System.Diagnostics.Metrics;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// The scheduler's metrics through System.Diagnostics.Metrics, exported by OpenTelemetry (Prometheus at
/// <c>/metrics</c>, OTLP when configured). Totals and levels are observed from the view the loop publishes after
/// every turn, so they are exactly what the API shows; durations are recorded as the engine commits them.
/// Dots become underscores in Prometheus, counters gain <c>_total</c> and seconds <c>_seconds</c>.
/// </summary>
public sealed class SchedulerMetrics : IDisposable
{
    // From a millisecond to ten minutes: dispatch is sub-millisecond to milliseconds, tasks run up to minutes.
    private static readonly double[] DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    // A turn's commit (fsync included) is a few milliseconds; a slow disk shows up in the upper buckets.
    private static readonly double[] CommitBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Meter _meter = new(TelemetryNames.Scheduler);
    private readonly Histogram<double> _assignmentDelay;
    private readonly Histogram<double> _runTime;
    private readonly Histogram<double> _submitToDone;
    private readonly Histogram<double> _commitTime;
    private readonly Histogram<int> _turnInputs;
    private readonly Histogram<int> _groupSize;
    private int _carried;
    private long _inserted;
    private long _updated;

    public SchedulerMetrics(PublishedView state, TimeSeries series, JournalStatus journal)
    {
        SchedulerView View() => state.View;

        Total("taskscheduler.tasks.accepted", "{task}", "Tasks accepted (journaled) since the scheduler started", () => View().Counters.Accepted);
        Total("taskscheduler.tasks.rejected", "{task}", "Submissions refused: unreadable, invalid, or an id taken by other content", () => View().Counters.Rejected);
        Total("taskscheduler.tasks.completed", "{task}", "Tasks completed", () => View().Counters.Completed);
        Total("taskscheduler.tasks.failed", "{task}", "Tasks failed", () => View().Counters.Failed);
        Total("taskscheduler.tasks.requeued", "{task}", "Attempts handed back to the queue (worker dead, left, or lost the task)", () => View().Counters.Requeued);
        Total("taskscheduler.tasks.duplicates", "{task}", "Resubmissions of a known task, accepted as no-ops", () => View().Counters.Duplicates);
        Total("taskscheduler.results.fenced", "{result}", "Results ignored because they named a superseded attempt or another worker", () => View().Counters.FencedResults);
        Total("taskscheduler.workers.declared_dead", "{worker}", "Workers declared dead after missing their heartbeats", () => View().Counters.WorkersDeclaredDead);
        Total("taskscheduler.tasks.cancelled", "{task}", "Tasks cancelled on request", () => View().Counters.Cancelled);
        Total("taskscheduler.tasks.dependency_failed", "{task}", "Tasks failed because a task they depend on failed or was cancelled", () => View().Counters.DependencyFailed);
        Total("taskscheduler.tasks.retries_scheduled", "{attempt}", "Failed attempts given another try after a backoff", () => View().Counters.RetriesScheduled);
        Total("taskscheduler.preemptions.ordered", "{order}", "Preempt orders sent to workers", () => View().Counters.PreemptionsOrdered);
        Total("taskscheduler.tasks.preempted", "{attempt}", "Attempts paused by their worker on a preempt order, to resume later", () => View().Counters.Preempted);
        Total("taskscheduler.tasks.poisoned", "{task}", "Tasks failed as poison: their workers died more often than Scheduler:MaxRequeues allows", () => View().Counters.Poisoned);
        Total("taskscheduler.tasks.expired", "{task}", "Finished tasks deleted from the journal once their retention passed (Journal:Retention)", () => View().Counters.Expired);
        Total("taskscheduler.tasks.resumed", "{attempt}", "Attempts that continue from a preempted attempt's checkpoint", () => View().Counters.Resumed);

        _meter.CreateObservableGauge("taskscheduler.queue.depth", () => View().PendingByPriority
            .Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("priority", p.Key))),
            "{task}", "Pending tasks by priority");
        _meter.CreateObservableGauge("taskscheduler.tasks.pending", () => View().Pending, "{task}", "Pending tasks");
        _meter.CreateObservableGauge("taskscheduler.tasks.running", () => View().Running, "{task}", "Running tasks");
        _meter.CreateObservableGauge("taskscheduler.tasks.waiting_on_dependencies", () => View().WaitingOnDependencies, "{task}",
            "Pending tasks whose dependencies have not all completed (not in the queue)");
        _meter.CreateObservableGauge("taskscheduler.tasks.waiting_on_time", () => View().WaitingOnTime, "{task}",
            "Pending tasks waiting for the clock, a retry's backoff or a delayed start (not in the queue)");
        // The same figure under its former name, which said retries only though delayed tasks were always counted.
        _meter.CreateObservableGauge("taskscheduler.tasks.retry_waiting", () => View().WaitingOnTime, "{task}",
            "Deprecated: taskscheduler.tasks.waiting_on_time");
        _meter.CreateObservableGauge("taskscheduler.workers.alive", () => View().Workers.Count(w => w.Confirmed), "{worker}",
            "Workers heartbeating within the liveness window");
        Workers = new WorkerGauges(View);
        _meter.CreateObservableGauge("taskscheduler.workers.desired", () => state.Autoscale is { } a ? [new Measurement<int>(a.DesiredWorkers)] : Array.Empty<Measurement<int>>(),
            "{worker}", "Workers the scheduler wants for its backlog and recent run times (GET /api/autoscale); what autoscalers follow");
        _meter.CreateObservableGauge("taskscheduler.journal.unavailable", () => journal.Problem is null ? 0 : 1, null,
            "1 while the journal cannot write (a full disk, an I/O error) and the scheduler accepts nothing, else 0");
        Total("taskscheduler.journal.outages", "{outage}", "Times the journal could not write and the scheduler stopped accepting until it could", () => journal.Outages);
        _meter.CreateObservableGauge("taskscheduler.journal.carried_tasks", () => Volatile.Read(ref _carried), "{task}",
            "Tasks whose latest changes are committed in the journal's turn records but not yet written as task documents " +
            "behind the loop; it grows while the disk cannot keep up, and a restart replays their records");
        _meter.CreateObservableCounter("taskscheduler.journal.documents_written", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _inserted), new KeyValuePair<string, object?>("kind", "inserted")),
            new Measurement<long>(Interlocked.Read(ref _updated), new KeyValuePair<string, object?>("kind", "updated")),
        }, "{document}", "Task documents the journal wrote behind the loop: a plain task is inserted once, finished; a task older than the materializer's window is inserted, then updated");
        _meter.CreateObservableGauge("taskscheduler.throughput", () => series.Throughput(TimeSpan.FromSeconds(10)), null,
            "Tasks finished (completed or failed) per second over the last 10 seconds");

        PlacementGauges.Register(_meter, View, () => state.Autoscale);

        _assignmentDelay = Duration("taskscheduler.task.assignment_delay", "Time from entering the queue (or re-entering it) to assignment");
        _runTime = Duration("taskscheduler.task.run_time", "Time a worker spent running an attempt, by outcome");
        _submitToDone = Duration("taskscheduler.task.submit_to_done", "Time from acceptance to the journaled result, by outcome");
        _commitTime = _meter.CreateHistogram("taskscheduler.journal.commit_time", "s", "Time of one turn's commit to the journal, fsync included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });
        var inputBuckets = new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000] };
        _turnInputs = _meter.CreateHistogram("taskscheduler.journal.turn_inputs", "{input}", "Inputs handled in one turn", advice: inputBuckets);
        // The same figure under its name from before the loop's unit was called a turn; deprecated, kept for dashboards.
        _groupSize = _meter.CreateHistogram("taskscheduler.journal.group_size", "{input}", "Deprecated: taskscheduler.journal.turn_inputs", advice: inputBuckets);
    }

    /// <summary>The per-worker gauges, on a meter of their own that is renewed as workers come and go.</summary>
    public WorkerGauges Workers { get; }

    public void AssignmentDelay(TimeSpan delay) => _assignmentDelay.Record(Seconds(delay));

    public void Finished(TimeSpan runTime, TimeSpan submitToDone, string outcome)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _runTime.Record(Seconds(runTime), tag);
        _submitToDone.Record(Seconds(submitToDone), tag);
    }

    public void Committed(TimeSpan duration, int inputs)
    {
        _commitTime.Record(Seconds(duration));
        _turnInputs.Record(inputs);
        _groupSize.Record(inputs);
    }

    /// <summary>The journal's documents against its committed turns (<see cref="SchedulerTelemetry.DocumentsBehind"/>).</summary>
    public void Documents(int carried, long inserted, long updated)
    {
        Volatile.Write(ref _carried, carried);
        Interlocked.Exchange(ref _inserted, inserted);
        Interlocked.Exchange(ref _updated, updated);
    }

    public void Dispose()
    {
        Workers.Dispose();
        _meter.Dispose();
    }

    private static double Seconds(TimeSpan duration) => Math.Max(0, duration.TotalSeconds);

    private void Total(string name, string unit, string description, Func<long> read) =>
        _meter.CreateObservableCounter(name, read, unit, description);

    private Histogram<double> Duration(string name, string description) =>
        _meter.CreateHistogram(name, "s", description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
}
