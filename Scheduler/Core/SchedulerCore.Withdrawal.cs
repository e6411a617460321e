using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Core;

/// <summary>The core's withdrawals: cancelling, failing what cannot be stored, requeueing, poison, and failing dependents. See SchedulerCore.cs for the state they share.</summary>
public sealed partial class SchedulerCore
{
    /// <summary>
    /// Cancels a task: a Pending one leaves the queue, a Running one is told to stop on its worker. Either way it is
    /// Cancelled at once, and whatever depends on it fails. <paramref name="journaled"/> is the journal's record when
    /// the task is not unfinished here.
    /// </summary>
    public CoreResult<CancelOutcome> Cancel(Guid id, string reason, TaskSnapshot? journaled)
    {
        var effects = Begin();
        if (!_active.TryGetValue(id, out var task))
        {
            return new(journaled is null ? CancelOutcome.NotFound
                : journaled.State == TaskState.Cancelled ? CancelOutcome.AlreadyCancelled
                : journaled.State.IsFinal() ? CancelOutcome.AlreadyFinished
                : throw new InvalidOperationException($"Task {id} is {journaled.State} in the journal but not known to the core."), effects);
        }

        var now = _time.GetUtcNow();
        var workerId = task.WorkerId;
        Withdraw(task, reason, now);
        task.Cancel(reason, now);
        Counters.Cancelled++;
        Record(task, now, TaskHistoryEvents.Cancelled, workerId, reason);
        _active.Remove(id);
        FailDependents(task, now);
        return new(CancelOutcome.Cancelled, effects);
    }

    /// <summary>
    /// The journal cannot store the task's document (<paramref name="reason"/> says why): the task fails, its
    /// dependents with it, and what is journaled of it is cut to its last step, so the turn can be written and the
    /// scheduler goes on. A running attempt is told to stop. <paramref name="written"/> is the task's snapshot the
    /// turn was to write, for a task that finished in the turn; the effects returned replace it.
    /// </summary>
    public CoreEffects FailUnstorable(Guid id, string reason, TaskSnapshot? written)
    {
        var effects = Begin();
        var now = _time.GetUtcNow();
        if (_active.TryGetValue(id, out var task))
        {
            var workerId = task.WorkerId;
            var running = task.State == TaskState.Running;
            Withdraw(task, reason, now);
            if (running)
            {
                task.Finish(TaskOutcome.Failed, reason, task.StartedAt ?? task.AssignedAt ?? now, now);
            }
            else
            {
                task.FailForDependency(reason, now);
            }

            Counters.Failed++;
            Record(task, now, TaskHistoryEvents.Failed, workerId, reason);
            _active.Remove(id);
            FailDependents(task, now);
        }

        if ((effects.Changed.GetValueOrDefault(id) ?? written) is { } snapshot)
        {
            effects.Changed[id] = snapshot with { Error = reason, Note = null, History = [.. snapshot.History.TakeLast(1)] };
        }

        return effects;
    }

    /// <summary>
    /// A task failed or was cancelled: every task waiting on it fails, naming it, and so on down the graph. Each
    /// dependent is visited once, so the cost is the number of tasks that fail.
    /// </summary>
    private void FailDependents(ScheduledTask root, DateTimeOffset now)
    {
        var what = root.State == TaskState.Cancelled ? "was cancelled" : "failed";
        var doomed = new Queue<ScheduledTask>();
        doomed.Enqueue(root);
        while (doomed.TryDequeue(out var failed))
        {
            foreach (var dependent in _dependencies.Doomed(failed.Id))
            {
                var reason = failed == root
                    ? $"dependency {root.Id} {what}"
                    : $"dependency {failed.Id} failed (its dependency {root.Id} {what})";
                _dependencies.Forget(dependent);
                dependent.FailForDependency(reason, now);
                Counters.DependencyFailed++;
                Record(dependent, now, TaskHistoryEvents.DependencyFailed, null, reason);
                _active.Remove(dependent.Id);
                doomed.Enqueue(dependent);
            }
        }
    }

    private void RequeueAll(WorkerEntry worker, string reason, bool workerDied)
    {
        var now = _time.GetUtcNow();
        foreach (var id in worker.InFlight.ToList())
        {
            Requeue(_active[id], reason, now, workerDied);
        }
    }

    private void Requeue(ScheduledTask task, string reason, DateTimeOffset now, bool workerDied)
    {
        var workerId = task.WorkerId;
        if (workerId is not null && _workers.TryGetValue(workerId, out var worker))
        {
            Release(task, worker, now);
        }

        if (workerDied)
        {
            task.CountWorkerDeath();
            AddHistory(task, now, TaskHistoryEvents.WorkerDead, workerId, reason);
            if (task.WorkerDeaths > MaxRequeues)
            {
                FailAsPoison(task, workerId, now);
                return;
            }

            reason = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{reason}; requeue {task.WorkerDeaths} of at most {MaxRequeues} after a worker's death");
        }

        task.ReturnToPending(reason);
        _pending.Add(task);
        Counters.Requeued++;
        Record(task, now, TaskHistoryEvents.Requeued, workerId, reason);
    }

    /// <summary>
    /// The task was running on every worker that died while it ran, more times than <see cref="MaxRequeues"/> allows:
    /// it likely kills them, so it fails rather than go round the fleet again.
    /// </summary>
    private void FailAsPoison(ScheduledTask task, string? workerId, DateTimeOffset now)
    {
        var error = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"poison: killed {task.WorkerDeaths} {(task.WorkerDeaths == 1 ? "worker" : "workers")}");
        task.Finish(TaskOutcome.Failed, error, task.StartedAt ?? task.AssignedAt ?? now, now);
        Counters.Failed++;
        Counters.Poisoned++;
        Record(task, now, TaskHistoryEvents.Failed, workerId, error);
        _active.Remove(task.Id);
        FailDependents(task, now);
    }

    /// <summary>
    /// Takes an unfinished task out of wherever it is, before it ends: a running attempt's worker is told to stop it
    /// (with <paramref name="reason"/>), a waiting task leaves the queue or the retry schedule, and the dependency
    /// index forgets it.
    /// </summary>
    private void Withdraw(ScheduledTask task, string reason, DateTimeOffset now)
    {
        if (task.State == TaskState.Running)
        {
            var workerId = task.WorkerId;
            if (workerId is not null && _workers.TryGetValue(workerId, out var worker))
            {
                worker.Stop(task.Id, task.Attempt, now);
            }

            _preempting.Remove(task.Id);
            _effects.Cancels.Add(new WorkerCancel(workerId!, new CancelTask(task.Id, task.Attempt, reason)));
        }
        else if (!_pending.Remove(task) && task.DueAt is not null)
        {
            _timedWaits.Remove(task);
        }

        _dependencies.Forget(task);
    }
}
