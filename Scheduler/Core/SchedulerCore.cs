using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// The scheduling brain, free of I/O: it holds the unfinished tasks, the pending queue and the worker registry,
/// applies submissions and worker messages, and records in <see cref="Effects"/> what must be journaled and sent.
/// One thread drives it; readers on other threads use <see cref="View"/>.
/// </summary>
public sealed class SchedulerCore
{
    private readonly Dictionary<Guid, ScheduledTask> _active = [];
    private readonly PendingQueue _pending = new();
    private readonly Dictionary<string, WorkerEntry> _workers = new(StringComparer.Ordinal);
    private readonly LivenessOptions _liveness;
    private readonly TimeProvider _time;
    private long _sequence;

    /// <summary>Silence before this instant does not count against workers: the broker, not they, was away.</summary>
    private DateTimeOffset _livenessFrom = DateTimeOffset.MinValue;

    public SchedulerCore(LivenessOptions liveness, TimeProvider time)
    {
        _liveness = liveness;
        _time = time;
    }

    public CoreEffects Effects { get; } = new();

    public SchedulerCounters Counters { get; } = new();

    public int PendingCount => _pending.Count;

    public int ActiveCount => _active.Count;

    public IReadOnlyDictionary<string, WorkerEntry> Workers => _workers;

    public ScheduledTask? FindActive(Guid id) => _active.GetValueOrDefault(id);

    /// <summary>Rebuilds the state committed before a restart from the journal's unfinished tasks.</summary>
    public void Restore(IEnumerable<TaskSnapshot> unfinished, long lastSequence)
    {
        var now = _time.GetUtcNow();
        _sequence = Math.Max(_sequence, lastSequence);
        foreach (var snapshot in unfinished)
        {
            var task = ScheduledTask.Restore(snapshot);
            _active[task.Id] = task;
            _sequence = Math.Max(_sequence, task.Sequence);
            if (task.State == TaskState.Pending)
            {
                _pending.Add(task);
                continue;
            }

            // Running on a worker we have not heard from yet: keep it there for one liveness window.
            var worker = GetOrAddWorker(task.WorkerId!, capacity: 0, now, confirmed: false);
            worker.RestoreHold(task.Id);
        }
    }

    public SubmitOutcome Submit(Guid id, int priority, string contentHash, int payloadBytes, TaskSnapshot? journaled)
    {
        var existing = _active.TryGetValue(id, out var active) ? active.ToSnapshot() : journaled;
        if (existing is not null)
        {
            var same = existing.Priority == priority && existing.ContentHash == contentHash;
            if (same)
            {
                Counters.Duplicates++;
                return SubmitOutcome.Duplicate;
            }

            Counters.Rejected++;
            return SubmitOutcome.Conflict;
        }

        var now = _time.GetUtcNow();
        var task = new ScheduledTask(id, priority, ++_sequence, now, contentHash, payloadBytes);
        _active.Add(id, task);
        _pending.Add(task);
        Counters.Accepted++;
        Record(task, now);
        return SubmitOutcome.Accepted;
    }

    /// <summary>Counts a submission refused before it reached the core (unreadable, invalid).</summary>
    public void CountRejected() => Counters.Rejected++;

    public void WorkerJoined(WorkerJoined joined)
    {
        if (!IsPlausible(joined.WorkerId, joined.Capacity))
        {
            return;
        }

        var now = _time.GetUtcNow();
        var worker = GetOrAddWorker(joined.WorkerId, joined.Capacity, now, confirmed: true);
        if (joined.At < worker.LastReportedAt)
        {
            // Redelivered after a broker restart: this process has reported since, so it is no news.
            worker.LastSeen = now;
            return;
        }

        // A process that just started holds nothing, whatever we thought its predecessor of the same id held.
        RequeueAll(worker, $"worker {worker.Id} restarted");
        worker.LastReportedAt = joined.At;
        worker.Capacity = joined.Capacity;
        worker.Confirmed = true;
        worker.Draining = false;
        worker.LastSeen = now;
    }

    public void Heartbeat(WorkerHeartbeat beat)
    {
        if (!IsPlausible(beat.WorkerId, beat.Capacity))
        {
            return;
        }

        var now = _time.GetUtcNow();
        var worker = GetOrAddWorker(beat.WorkerId, beat.Capacity, now, confirmed: true);
        worker.Capacity = beat.Capacity;
        worker.Confirmed = true;
        worker.Draining = beat.Draining;
        worker.LastSeen = now;
        if (beat.At > worker.LastReportedAt)
        {
            worker.LastReportedAt = beat.At;
        }

        var claimed = new HashSet<(Guid, int)>();
        foreach (var run in beat.Running)
        {
            claimed.Add((run.TaskId, run.Attempt));
            if (_active.TryGetValue(run.TaskId, out var claimedTask) && run.Attempt > claimedTask.Attempt)
            {
                // An attempt never issued: no worker can hold it. Cancelling it would kill that attempt once it is
                // issued, so the claim is ignored.
                continue;
            }

            if (!IsCurrentAttempt(run.TaskId, run.Attempt, worker.Id))
            {
                Effects.Cancels.Add(new WorkerCancel(worker.Id, new CancelTask(run.TaskId, run.Attempt, "superseded")));
            }
        }

        foreach (var id in worker.InFlight.ToList())
        {
            var task = _active[id];
            // Only the current attempt counts: an older attempt of the same task proves nothing about this one.
            if (!claimed.Contains((id, task.Attempt)) && now - (task.AssignedAt ?? DateTimeOffset.MinValue) > _liveness.ReconcileGrace)
            {
                Requeue(task, $"worker {worker.Id} no longer reports attempt {task.Attempt}", now);
            }
        }
    }

    /// <summary>Applies a worker's result. Returns false when the result is fenced off (stale or forged).</summary>
    public bool Finish(TaskFinished result)
    {
        var now = _time.GetUtcNow();
        if (_workers.TryGetValue(result.WorkerId, out var worker))
        {
            worker.LastSeen = now;
        }

        if (!IsCurrentAttempt(result.TaskId, result.Attempt, result.WorkerId) || worker is null)
        {
            Counters.FencedResults++;
            return false;
        }

        var task = _active[result.TaskId];
        worker.Release(task.Id);
        worker.IdleSince = now;
        task.Finish(result.Outcome, result.Error, result.StartedAt, result.FinishedAt);
        if (result.Outcome == TaskOutcome.Completed)
        {
            worker.Completed++;
            Counters.Completed++;
        }
        else
        {
            worker.Failed++;
            Counters.Failed++;
        }

        Record(task, now);
        _active.Remove(task.Id);
        return true;
    }

    public void WorkerLeft(WorkerLeft left)
    {
        if (_workers.TryGetValue(left.WorkerId, out var worker))
        {
            RemoveWorker(worker, $"worker {worker.Id} left");
        }
    }

    /// <summary>An assignment came back undeliverable: the worker's queue is gone, so the worker cannot be used.</summary>
    public void AssignmentUndeliverable(Assignment assignment)
    {
        var now = _time.GetUtcNow();
        if (IsCurrentAttempt(assignment.TaskId, assignment.Attempt, assignment.WorkerId))
        {
            Requeue(_active[assignment.TaskId], $"assignment to worker {assignment.WorkerId} could not be delivered", now);
        }

        if (_workers.TryGetValue(assignment.WorkerId, out var worker))
        {
            // It gets work again when it heartbeats, which it does only once it consumes its queue again.
            worker.Confirmed = false;
        }
    }

    /// <summary>
    /// The scheduler lost its broker connection: no heartbeat can reach it, so silence proves nothing until
    /// <see cref="BrokerReconnected"/>.
    /// </summary>
    public void BrokerDisconnected() => _livenessFrom = DateTimeOffset.MaxValue;

    /// <summary>
    /// The broker is back. Workers reconnect on their own schedule: each gets a full window beyond the usual one
    /// to be heard from again before it is declared dead.
    /// </summary>
    public void BrokerReconnected() => _livenessFrom = _time.GetUtcNow() + _liveness.Window;

    /// <summary>Declares dead every worker silent for longer than the liveness window, and requeues its tasks.</summary>
    public void CheckLiveness()
    {
        var now = _time.GetUtcNow();
        if (now < _livenessFrom)
        {
            return;
        }

        foreach (var worker in _workers.Values.ToList())
        {
            var heardFrom = worker.LastSeen > _livenessFrom ? worker.LastSeen : _livenessFrom;
            if (now - heardFrom > _liveness.Window)
            {
                Counters.WorkersDeclaredDead++;
                RemoveWorker(worker, $"worker {worker.Id} missed {_liveness.MissedHeartbeats} heartbeats");
            }
        }
    }

    /// <summary>Fills free worker slots from the pending queue, fairly, and returns how many tasks were assigned.</summary>
    public int Dispatch()
    {
        var now = _time.GetUtcNow();
        var assigned = 0;
        while (_pending.Count > 0)
        {
            var worker = FairShareDispatcher.Choose(_workers.Values);
            if (worker is null || !_pending.TryDequeue(out var id))
            {
                break;
            }

            var task = _active[id];
            task.Assign(worker.Id, now);
            worker.Hold(id);
            worker.IdleSince = now;
            Effects.Assignments.Add(new Assignment(task.Id, task.Attempt, task.Priority, worker.Id, now));
            if (Effects.Cancels.Count > 0)
            {
                // A heartbeat of this same group claimed this attempt before the task was known (a forgery, or a
                // message that overtook the submission); that cancel must not chase the attempt issued now.
                Effects.Cancels.RemoveAll(c => c.Order.TaskId == task.Id && c.Order.Attempt == task.Attempt);
            }

            Record(task, now);
            assigned++;
        }

        return assigned;
    }

    public SchedulerView View()
    {
        var workers = _workers.Values
            .OrderBy(w => w.Id, StringComparer.Ordinal)
            .Select(w => new WorkerView(w.Id, w.Capacity, w.InFlight.Count, w.Draining, w.Confirmed, w.LastSeen, w.Completed, w.Failed))
            .ToArray();
        return new SchedulerView(
            workers, _pending.CountByPriority(), _pending.Count, _active.Count - _pending.Count, Counters.Copy(), _time.GetUtcNow());
    }

    private bool IsCurrentAttempt(Guid taskId, int attempt, string workerId) =>
        _active.TryGetValue(taskId, out var task)
        && task.State == TaskState.Running
        && task.Attempt == attempt
        && string.Equals(task.WorkerId, workerId, StringComparison.Ordinal);

    private bool IsPlausible(string workerId, int capacity)
    {
        if (Limits.IsValidWorkerId(workerId) && capacity is >= 1 and <= Limits.MaxWorkerCapacity)
        {
            return true;
        }

        Counters.IgnoredWorkerMessages++;
        return false;
    }

    private WorkerEntry GetOrAddWorker(string id, int capacity, DateTimeOffset now, bool confirmed)
    {
        if (!_workers.TryGetValue(id, out var worker))
        {
            worker = new WorkerEntry(id, capacity, now, confirmed);
            _workers.Add(id, worker);
        }

        return worker;
    }

    private void RemoveWorker(WorkerEntry worker, string reason)
    {
        RequeueAll(worker, reason);
        _workers.Remove(worker.Id);
        Effects.RemovedWorkers.Add(worker.Id);
    }

    private void RequeueAll(WorkerEntry worker, string reason)
    {
        var now = _time.GetUtcNow();
        foreach (var id in worker.InFlight.ToList())
        {
            Requeue(_active[id], reason, now);
        }
    }

    private void Requeue(ScheduledTask task, string reason, DateTimeOffset now)
    {
        if (task.WorkerId is { } workerId && _workers.TryGetValue(workerId, out var worker))
        {
            worker.Release(task.Id);
        }

        task.ReturnToPending(reason);
        _pending.Add(task);
        Counters.Requeued++;
        Record(task, now);
    }

    private void Record(ScheduledTask task, DateTimeOffset now)
    {
        Effects.Changed[task.Id] = task.ToSnapshot();
        Effects.Events.Add(new TaskStateChanged(task.Id, task.State, task.Priority, task.Attempt, task.WorkerId, task.Error, now));
    }
}
