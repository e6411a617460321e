using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// The core's restore after a restart: running tasks first, whole; then the pending tasks in chunks, in dispatch
/// order, while dispatch goes on up to the frontier (<see cref="RestoreFrontier"/>). See SchedulerCore.cs for the
/// state it shares.
/// </summary>
public sealed partial class SchedulerCore
{
    private RestoreFrontier? _restoring;

    /// <summary>How far a restore in progress is; null when none is.</summary>
    public RestoreProgress? Restoring => _restoring is null ? null : new(_restoring.Loaded, _restoring.Total);

    public bool IsRestoring => _restoring is not null;

    /// <summary>
    /// Starts a restore with the running tasks (and any other unfinished tasks given). Until
    /// <see cref="RestoreChunk"/> says the last chunk came, a task that depends on one not loaded counts it unfinished,
    /// and only tasks at or before the frontier are dispatched.
    /// </summary>
    public void BeginRestore(IEnumerable<TaskSnapshot> unfinished, long lastSequence)
    {
        _restoring = new RestoreFrontier();
        _sequence = Math.Max(_sequence, lastSequence);
        var now = _time.GetUtcNow();
        foreach (var snapshot in unfinished)
        {
            Load(snapshot, now);
        }
    }

    /// <summary>
    /// The next pending tasks in dispatch order, as the journal holds them now (a task the core holds already is
    /// newer here and is skipped). <paramref name="last"/>: no more come; the restore completes, and tasks that waited
    /// for a dependency not loaded are released if it had completed before the restart. Returns what must be journaled
    /// (tasks failed because a dependency failed or was cancelled during the restore).
    /// </summary>
    public CoreEffects RestoreChunk(IReadOnlyList<TaskSnapshot> pending, bool last)
    {
        var effects = Begin();
        var restoring = _restoring ?? throw new InvalidOperationException("No restore is in progress.");
        var now = _time.GetUtcNow();
        foreach (var snapshot in pending)
        {
            if (snapshot.State == TaskState.Pending && !_active.ContainsKey(snapshot.Id))
            {
                Load(snapshot, now);
            }
        }

        if (pending.Count > 0)
        {
            restoring.Advance(new PendingEntry(pending[^1].Priority, pending[^1].Sequence, pending[^1].Id), pending.Count);
        }

        if (last)
        {
            // Every unfinished task is known now: one waited for and not held completed before the restart (a pending
            // task's dependencies are unfinished or completed; one that failed failed its dependents with it).
            _restoring = null;
            foreach (var gone in _dependencies.WaitedForAndGone(_active.ContainsKey))
            {
                foreach (var released in _dependencies.Completed(gone))
                {
                    Enqueue(released, now);
                }
            }
        }

        return effects;
    }

    /// <summary>
    /// Loads a pending task the restore has not reached yet, because an operation names it (a cancel, a priority
    /// change, a dependency of a new task): from then on the core holds it, and the chunk that reaches it skips it.
    /// </summary>
    public CoreEffects LoadOnDemand(TaskSnapshot snapshot)
    {
        var effects = Begin();
        if (_restoring is not null && snapshot.State == TaskState.Pending && !_active.ContainsKey(snapshot.Id))
        {
            Load(snapshot, _time.GetUtcNow());
            _restoring.LoadedOnDemand();
        }

        return effects;
    }

    /// <summary>The journal counted its pending tasks when the restore began.</summary>
    public void CountedForRestore(long total)
    {
        if (_restoring is not null)
        {
            _restoring.Total = total;
        }
    }

    /// <summary>Whether the task may be dispatched: always, but during a restore only at or before the frontier.</summary>
    private bool Dispatchable(PendingEntry entry) => _restoring?.Admits(entry) ?? true;

    private void Load(TaskSnapshot snapshot, DateTimeOffset now)
    {
        var task = ScheduledTask.Restore(snapshot);
        _sequence = Math.Max(_sequence, task.Sequence);
        _active[task.Id] = task;
        if (task.State != TaskState.Pending)
        {
            // Running on a worker we have not heard from yet: keep it there for one liveness window.
            var worker = GetOrAddWorker(task.WorkerId!, capacity: 0, now, confirmed: false);
            worker.RestoreHold(task.Id);
            return;
        }

        foreach (var dependency in task.DependsOn)
        {
            if (!_active.ContainsKey(dependency) && _restoring?.EndedAs(dependency) is { } ended)
            {
                // Its dependency failed or was cancelled during the restore, before this task was loaded.
                var reason = $"dependency {dependency} {(ended == TaskState.Cancelled ? "was cancelled" : "failed")}";
                task.FailForDependency(reason, now);
                Counters.DependencyFailed++;
                Record(task, now, TaskHistoryEvents.DependencyFailed, null, reason);
                _active.Remove(task.Id);
                FailDependents(task, now);
                return;
            }
        }

        // During a restore a dependency not loaded yet may be unfinished: the task waits for it until the restore
        // completes, when one still not held is known to have completed.
        if (_dependencies.Track(task, id => _restoring is not null || _active.ContainsKey(id)))
        {
            return;
        }

        if (task.Wait == PendingWait.RetryBackoff && task.RetryAt is not null)
        {
            _timedWaits.Add(task);
        }
        else
        {
            Enqueue(task, now);
        }
    }
}
