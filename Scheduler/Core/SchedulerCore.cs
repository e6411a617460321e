using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// The scheduling brain, free of I/O: it holds the unfinished tasks, the pending queue, the dependency index, the
/// retry schedule and the worker registry, applies submissions, cancellations and worker messages, and returns from
/// each operation what must be journaled and sent (<see cref="CoreEffects"/>). One thread drives it; readers on other
/// threads use <see cref="View"/>. It is one state machine over one set of tasks and workers, so it is one type; its
/// operations are split by what they serve: this file holds the state and what every operation shares,
/// SchedulerCore.Submissions (submissions and graph checks), SchedulerCore.Workers (worker messages),
/// SchedulerCore.Liveness (attention and declaring workers dead), SchedulerCore.Withdrawal (cancellation, requeues
/// and failures that take a task out of where it is) and SchedulerCore.Dispatch (filling slots, preemption).
/// </summary>
public sealed partial class SchedulerCore
{
    /// <summary>The start of an error a history step carries: the task's error holds it whole (up to its limit) once.</summary>
    private const int ShortErrorChars = 256;

    private readonly TaskDictionary _active = new();
    private readonly PendingQueue _pending = new();
    private readonly DependencyTracker _dependencies = new();
    private readonly TimedWaits _timedWaits = new();
    private readonly HashSet<Guid> _preempting = [];
    private readonly Dictionary<string, WorkerEntry> _workers = new(StringComparer.Ordinal);
    private readonly WorkerTallies _tallies = new();
    private readonly LivenessOptions _liveness;
    private readonly PreemptionOptions _preemption;
    private readonly RetryOptions _retry;
    private readonly TimeProvider _time;
    private long _sequence;

    /// <summary>Silence before this instant does not count against workers: the broker, not they, was away.</summary>
    private DateTimeOffset _livenessFrom = DateTimeOffset.MinValue;

    /// <summary>Assignments decided before this instant went out no earlier (<see cref="AssignmentsHeldUntil"/>).</summary>
    private DateTimeOffset _assignmentsHeldUntil = DateTimeOffset.MinValue;

    /// <summary>When the loop last took its inputs (<see cref="Attend"/>).</summary>
    private DateTimeOffset _attendedAt;

    /// <summary>Since when the loop has left inputs waiting after every taking, or null when it has caught up.</summary>
    private DateTimeOffset? _backlogSince;

    public SchedulerCore(LivenessOptions liveness, TimeProvider time, PreemptionOptions? preemption = null, RetryOptions? retry = null)
    {
        _liveness = liveness;
        _time = time;
        _attendedAt = time.GetUtcNow();
        _preemption = preemption ?? PreemptionOptions.Default;
        _retry = retry ?? RetryOptions.Default;
    }

    /// <summary>What the operation under way has decided so far; each public operation starts a fresh one and returns it.</summary>
    private CoreEffects _effects = new();

    /// <summary>The most tasks one graph may hold (<c>Scheduler:MaxGraphTasks</c>); a larger graph is refused whole.</summary>
    public int MaxGraphTasks { get; init; } = 20_000;

    /// <summary>
    /// The most lanes (tenant group and set of required tags) the queue may hold (<c>Scheduler:MaxLanes</c>): dispatch
    /// looks at each lane with work, so a producer naming a new group per task is refused rather than slowing it down.
    /// </summary>
    public int MaxLanes { get; init; } = 10_000;

    /// <summary>
    /// Requeues after the death of the worker running it that a task gets (<c>Scheduler:MaxRequeues</c>); at the
    /// next death it fails as poison instead of killing worker after worker.
    /// </summary>
    public int MaxRequeues { get; init; } = 5;

    public SchedulerCounters Counters { get; } = new();

    /// <summary>Tenant groups' weights and limits, and what each runs (<c>Scheduler:Groups</c>).</summary>
    public GroupShares Groups { get; init; } = new();

    /// <summary>Tasks in the queue, ready to run as soon as a slot is free.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Pending tasks that wait for dependencies to complete.</summary>
    public int WaitingOnDependenciesCount => _dependencies.WaitingCount;

    /// <summary>Pending tasks that wait out a retry's backoff.</summary>
    public int WaitingOnTimeCount => _timedWaits.Count;

    public int ActiveCount => _active.Count;

    public int RunningCount => _active.Count - _pending.Count - _dependencies.WaitingCount - _timedWaits.Count;

    public IReadOnlyDictionary<string, WorkerEntry> Workers => _workers;

    /// <summary>When the core next has work of its own to do (a retry falls due), or null.</summary>
    public DateTimeOffset? NextWakeAt => _timedWaits.NextAt;

    public ScheduledTask? FindActive(Guid id) => _active.GetValueOrDefault(id);

    public SchedulerView View()
    {
        var workers = _workers.Values
            .OrderBy(w => w.Id, StringComparer.Ordinal)
            .Select(w => new WorkerView(w.Id, w.Capacity, w.Occupied, w.Draining, w.Confirmed, w.LastSeen, w.Completed, w.Failed) { Tags = w.Tags })
            .ToArray();
        var (groups, pools) = LoadBreakdown.Of(_pending, _workers.Values, id => _active[id], Groups);
        return new SchedulerView(workers, _pending.CountByPriority(), _pending.Count, RunningCount, Counters.Copy(), _time.GetUtcNow())
        {
            WaitingOnDependencies = _dependencies.WaitingCount,
            WaitingOnTime = _timedWaits.Count,
            Progress = RunningProgress(),
            Groups = groups,
            Pools = pools,
            Restore = Restoring,
        };
    }

    private Dictionary<Guid, RunningTaskProgress> RunningProgress()
    {
        var progress = new Dictionary<Guid, RunningTaskProgress>();
        foreach (var worker in _workers.Values)
        {
            foreach (var id in worker.InFlight)
            {
                if (_active.TryGetValue(id, out var task) && task.LiveProgress is { } p)
                {
                    progress[id] = new RunningTaskProgress(id, task.Attempt, worker.Id, p);
                }
            }
        }

        return progress;
    }

    private bool IsCurrentAttempt(Guid taskId, int attempt, string workerId) =>
        _active.TryGetValue(taskId, out var task)
        && task.State == TaskState.Running
        && task.Attempt == attempt
        && string.Equals(task.WorkerId, workerId, StringComparison.Ordinal);

    /// <summary>The task's attempt no longer occupies its worker's slot.</summary>
    private void Release(ScheduledTask task, WorkerEntry worker, DateTimeOffset now)
    {
        worker.Release(task.Id);
        worker.IdleSince = now;
        _preempting.Remove(task.Id);
    }

    /// <summary>Journals the task's new state, announces it (after the commit) and adds a step to its history.</summary>
    private void Record(ScheduledTask task, DateTimeOffset now, string history, string? workerId, string? detail, bool announce = true)
    {
        AddHistory(task, now, history, workerId, detail);
        _effects.Changed[task.Id] = task.ToSnapshot();
        _restoring?.Ended(task.Id, task.State);
        if (announce)
        {
            var resultBytes = task.Result is null ? 0 : Encoding.UTF8.GetByteCount(task.Result);
            _effects.Events.Add(new TaskStateChanged(task.Id, task.State, task.Priority, task.Attempt, task.WorkerId, task.Error, now, task.StartedAt, task.FinishedAt)
            {
                Note = task.State == TaskState.Pending ? task.Note : null,
                Result = resultBytes <= Limits.MaxEventResultBytes ? task.Result : null,
                ResultBytes = resultBytes,
            });
        }
    }

    /// <summary>
    /// Adds a step to the task's history, journaled with its next snapshot, and reports it in the effects. Call it
    /// before <see cref="Record"/>, or through it, so the snapshot includes the step.
    /// </summary>
    private void AddHistory(ScheduledTask task, DateTimeOffset at, string history, string? workerId, string? detail)
    {
        var entry = new TaskHistoryEntry(at, history, workerId, task.Attempt > 0 ? task.Attempt : null, detail);
        task.AddHistory(entry);
        _effects.History.Add(new HistoryRecord(task.Id, entry));
    }

    /// <summary>Starts an operation: what it decides is collected afresh, and returned by it.</summary>
    private CoreEffects Begin() => _effects = new CoreEffects();

    private static string DescribeCheckpoint(string? checkpoint) =>
        checkpoint is null ? "without a checkpoint" : $"checkpoint of {Encoding.UTF8.GetByteCount(checkpoint)} bytes";
}
