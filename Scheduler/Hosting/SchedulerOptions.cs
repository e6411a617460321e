using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Http;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.Scheduler.Hosting;

/// <summary>The <c>Scheduler</c> configuration section.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    /// <summary>How often workers are expected to heartbeat; they are told nothing, so set theirs to match.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Heartbeats a worker may miss before it is declared dead and its tasks requeued.</summary>
    public int MissedHeartbeats { get; set; } = 3;

    public const int DefaultMaxTurnInputs = 2000;

    /// <summary>
    /// Most inputs one turn of the loop takes: applied to the core, written in one journal transaction and delivered
    /// together. <see cref="DefaultMaxTurnInputs"/> when unset.
    /// </summary>
    public int? MaxTurnInputs { get; set; }

    /// <summary>
    /// After a turn of fewer than <see cref="LoopSettings.SmallTurn"/> inputs, how long the loop lets inputs gather
    /// before the next turn, so that under a moderate load a turn's transaction, fsync and per-worker messages are
    /// shared by more tasks; zero (the default) takes the next turn as soon as there is input.
    /// </summary>
    public TimeSpan TurnLinger { get; set; } = TimeSpan.Zero;

    /// <summary>The former name of <see cref="MaxTurnInputs"/>, still read (with a warning at start) when that is unset.</summary>
    public int? MaxBatch { get; set; }

    /// <summary>The most inputs a turn takes, from whichever name is set.</summary>
    public int TurnInputs => MaxTurnInputs ?? MaxBatch ?? DefaultMaxTurnInputs;

    /// <summary>The setting's old name when only that is set, so the start can say what to rename; otherwise null.</summary>
    public string? RenamedSettingInUse => MaxBatch is not null && MaxTurnInputs is null
        ? $"{Section}:{nameof(MaxBatch)} is read as {Section}:{nameof(MaxTurnInputs)}; rename it, the old name will not be read forever"
        : null;

    /// <summary>Unacknowledged submissions the broker may push ahead, at most; bounds a turn's size.</summary>
    public ushort SubmitPrefetch { get; set; } = 2000;

    public ushort EventsPrefetch { get; set; } = 2000;

    /// <summary>
    /// Bytes of unacknowledged submissions the broker may push ahead: the prefetch shrinks below SubmitPrefetch when
    /// messages are large, so a stream of 1 MiB tasks cannot fill the scheduler's memory.
    /// </summary>
    public long SubmitBufferBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Memory for payloads of tasks waiting to be dispatched, so a backlog is dispatched without reading each payload
    /// back from the journal. Beyond it payloads are read from the journal; 0 turns the cache off.
    /// </summary>
    public long PayloadCacheBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>The most tasks one graph may hold; a larger one is refused whole, with a reason.</summary>
    public int MaxGraphTasks { get; set; } = 20_000;

    /// <summary>
    /// The most tasks one batch submission (<c>submit-batch</c>, <c>POST /api/tasks/batch</c>) may hold; a larger
    /// batch is refused whole, with a reason. Its bytes are bounded as any submission's.
    /// </summary>
    public int MaxBatchTasks { get; set; } = Contracts.Limits.DefaultMaxBatchTasks;

    /// <summary>
    /// Requeues after the death of the worker running it that a task gets; at the next death it fails as
    /// "poison: killed N workers". Graceful hand-backs and preemptions do not count.
    /// </summary>
    public int MaxRequeues { get; set; } = 5;

    /// <summary>When a pending task may take the slot of a running one (<c>Scheduler:Preemption:*</c>).</summary>
    public PreemptionOptions Preemption { get; set; } = new();

    /// <summary>Backoff between the retries of failed tasks (<c>Scheduler:Retry:*</c>).</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Bounds of the rejected-submissions queue (<c>Scheduler:RejectedQueue:*</c>).</summary>
    public RejectedQueueOptions RejectedQueue { get; set; } = new();

    /// <summary>Tenant groups' weights and limits, by group name (<c>Scheduler:Groups:{name}:Weight</c>, ...).</summary>
    public Dictionary<string, GroupPolicy> Groups { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How late a schedule's occurrence may fire and still be on time; older ones follow the schedule's misfire policy.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most tenant groups and sets of required tags with tasks waiting at once; beyond, new ones are refused.</summary>
    public int MaxLanes { get; set; } = 10_000;

    /// <summary>
    /// Whether assignments are written to the broker's disk. Off by default: the journal is the truth, and an
    /// assignment lost in a broker crash is found missing from the worker's heartbeats and requeued, after
    /// <c>2 × HeartbeatInterval × MissedHeartbeats</c>. On, a broker restart delivers them instead, at the cost of a
    /// disk write and an fsync per assignment message on the broker. Quorum queues always write.
    /// </summary>
    public bool PersistentAssignments { get; set; }

    /// <summary>
    /// Pending tasks a restart reads from the journal per turn, in dispatch order, while it already dispatches the
    /// head of the queue (docs/architecture.md, "Restore"). Larger chunks finish the restore sooner and hold each
    /// turn longer (about 25 µs per task).
    /// </summary>
    public int RestoreChunk { get; set; } = 5_000;

    /// <summary>What the loop's timing reads.</summary>
    public LoopSettings Loop() => new(HeartbeatInterval, TurnInputs) { TurnLinger = TurnLinger };

    /// <summary>What the transport reads.</summary>
    public TransportSettings Transport() =>
        new(SubmitPrefetch, EventsPrefetch, SubmitBufferBytes, PersistentAssignments, MaxBatchTasks, RejectedQueue);

    /// <summary>What the HTTP batch endpoint reads.</summary>
    public BatchLimits Batches() => new(MaxBatchTasks);

    public IEnumerable<string> Validate()
    {
        if (TurnLinger < TimeSpan.Zero || TurnLinger > TimeSpan.FromMilliseconds(100))
        {
            yield return $"{Section}:TurnLinger must be between 0 and 100 ms, not {TurnLinger}";
        }

        if (RestoreChunk < 1)
        {
            yield return $"{Section}:RestoreChunk must be at least 1, not {RestoreChunk}";
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:HeartbeatInterval must be positive, not '{HeartbeatInterval}'";
        }

        if (MissedHeartbeats < 1)
        {
            yield return $"{Section}:MissedHeartbeats must be at least 1, not {MissedHeartbeats}";
        }

        if (TurnInputs < 1)
        {
            yield return $"{Section}:{(MaxTurnInputs is null && MaxBatch is not null ? nameof(MaxBatch) : nameof(MaxTurnInputs))} must be at least 1, not {TurnInputs}";
        }

        if (SubmitBufferBytes < 1)
        {
            yield return $"{Section}:SubmitBufferBytes must be positive, not {SubmitBufferBytes}";
        }

        if (PayloadCacheBytes < 0)
        {
            yield return $"{Section}:PayloadCacheBytes must not be negative, not {PayloadCacheBytes}";
        }

        if (MaxBatchTasks < 1)
        {
            yield return $"{Section}:MaxBatchTasks must be at least 1, not {MaxBatchTasks}";
        }

        if (MaxGraphTasks < 1)
        {
            yield return $"{Section}:MaxGraphTasks must be at least 1, not {MaxGraphTasks}";
        }

        if (MisfireThreshold < TimeSpan.Zero)
        {
            yield return $"{Section}:MisfireThreshold must not be negative, not '{MisfireThreshold}'";
        }

        if (MaxLanes < 1)
        {
            yield return $"{Section}:MaxLanes must be at least 1, not {MaxLanes}";
        }

        if (MaxRequeues < 0)
        {
            yield return $"{Section}:MaxRequeues must not be negative, not {MaxRequeues}";
        }

        if (SubmitPrefetch < 1 || EventsPrefetch < 1)
        {
            yield return $"{Section}:SubmitPrefetch and {Section}:EventsPrefetch must be at least 1";
        }

        var groups = Groups.SelectMany(g => g.Value.Validate($"{Section}:Groups:{g.Key}"));
        foreach (var problem in Preemption.Validate($"{Section}:Preemption").Concat(Retry.Validate($"{Section}:Retry")).Concat(groups)
                     .Concat(RejectedQueue.Validate($"{Section}:RejectedQueue")))
        {
            yield return problem;
        }
    }
}
