using TaskScheduler.Bench.Stages;
using TaskScheduler.Bench.Traffic;

namespace TaskScheduler.Bench;

/// <summary>The outcome of one bench run, as printed (table) and as written with --json.</summary>
public sealed record BenchReport(
    BenchSetup Setup,
    TaskCounts Tasks,
    Throughput Throughput,
    LatencyReport LatencyMs,
    IReadOnlyList<StageLatency> StageLatencyMs,
    WorkerReport Workers,
    CeilingReport? Ceiling,
    BrokerTraffic? BrokerTraffic,
    SchedulerMemory? SchedulerMemory,
    MachineReport Machine);

public sealed record BenchSetup(
    string Mode, int? Tasks, double? DurationSeconds, double? Rate, int PayloadBytes, string Priorities, string? RunTime, int Window, int MaxOutstanding,
    int Batch = 1);

/// <summary>What became of the submitted tasks; <see cref="PublishErrors"/> never reached the broker.</summary>
public sealed record TaskCounts(long Submitted, long Completed, long Failed, long Cancelled, long Rejected, long Unfinished, long PublishErrors);

/// <summary>
/// Tasks per second: submitted (confirmed by the broker) over the submitting time, accepted and completed (finished)
/// over the time from the first submission to the last such event; each also as a fraction of the ceiling, the
/// broker's one-hop messages per second measured in the same run (tasks per one-hop message).
/// </summary>
public sealed record Throughput(
    double SubmittedPerSecond, double AcceptedPerSecond, double CompletedPerSecond, double SubmitSeconds, double TotalSeconds,
    double? SubmittedToCeiling, double? CompletedToCeiling);

/// <summary>
/// Submit-to-accepted: until the task's <c>pending</c> event (journaled, acknowledged). Submit-to-start: until the
/// worker started it (the assignment delay). Submit-to-done: until its final event.
/// </summary>
public sealed record LatencyReport(LatencySummary? SubmitToAccepted, LatencySummary? SubmitToStart, LatencySummary? SubmitToDone);

/// <summary>
/// Fairness and utilization. <see cref="MaxDeviationFromEven"/>: the largest difference between a worker's task
/// count and the mean, as a fraction of the mean. <see cref="Utilization"/>: the fraction of the workers' slot time
/// spent running the bench's tasks between the first start and the last start (after which there is nothing left
/// to run); null when the scheduler's API could not be asked for capacities.
/// </summary>
public sealed record WorkerReport(
    int Count, IReadOnlyDictionary<string, long> TasksPerWorker, double? MaxDeviationFromEven, double? Utilization, string? Note);

/// <summary>
/// The scheduler's working set (resident memory) in MiB: the highest seen while sampling every half second during
/// the run, and the highest since the scheduler started, as it reports itself.
/// </summary>
public sealed record SchedulerMemory(double PeakDuringRunMiB, double PeakSinceStartMiB);

/// <summary>The machine the bench ran on, and how busy it was (load averages from /proc/loadavg, where there is one).</summary>
public sealed record MachineReport(int Processors, string? LoadAtStart, string? LoadAtEnd);
