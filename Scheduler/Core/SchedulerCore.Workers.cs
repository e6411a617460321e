using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Core;

/// <summary>The core's worker messages: joins, heartbeats (and their reconciliation), results, preemption and checkpoint reports, leaves and returned assignments. See SchedulerCore.cs for the state they share.</summary>
public sealed partial class SchedulerCore
{
    public CoreEffects WorkerJoined(WorkerJoined joined)
    {
        var effects = Begin();
        if (!IsPlausible(joined.WorkerId, joined.Capacity))
        {
            return effects;
        }

        var now = _time.GetUtcNow();
        var worker = GetOrAddWorker(joined.WorkerId, joined.Capacity, now, confirmed: true);
        var reportedAt = WorkerReports.ReportedAt(joined.At, now);
        if (reportedAt < worker.LastReportedAt)
        {
            // Redelivered after a broker restart: this process has reported since, so it is no news.
            worker.Heard(now);
            return effects;
        }

        // A process that just started holds nothing that was assigned before it announced itself, whatever we thought
        // its predecessor of the same id held. What was assigned after is this process's own: the broker delivered its
        // join again to a restarted scheduler, which had not acknowledged it, and heartbeats settle what it runs.
        foreach (var id in worker.InFlight.ToList())
        {
            if (_active[id].AssignedAt is not { } assignedAt || assignedAt < reportedAt)
            {
                Requeue(_active[id], $"worker {worker.Id} restarted", now, workerDied: true);
            }
        }

        worker.ClearStopping();
        worker.Advertise(joined.Tags);
        worker.LastReportedAt = reportedAt;
        worker.Capacity = joined.Capacity;
        // A worker announces itself once its queues are declared and consumed.
        worker.QueuesDeclared();
        worker.Confirmed = true;
        worker.Draining = false;
        worker.Heard(now);

        return effects;
    }

    public CoreEffects Heartbeat(WorkerHeartbeat beat)
    {
        var effects = Begin();
        if (!IsPlausible(beat.WorkerId, beat.Capacity))
        {
            return effects;
        }

        var now = _time.GetUtcNow();
        var reportedAt = WorkerReports.ReportedAt(beat.At, now);
        var known = _workers.ContainsKey(beat.WorkerId);
        var worker = GetOrAddWorker(beat.WorkerId, beat.Capacity, now, confirmed: false);
        if (!known)
        {
            // Registered by a heartbeat, not by joined: a worker declared dead (its queues deleted) beats again as it
            // thaws, possibly before it has declared its queues again, and an assignment sent now would come back
            // unroutable and spend an attempt number. Its next heartbeat, sent well after this one, proves them.
            worker.AwaitQueues(reportedAt);
        }

        worker.Capacity = beat.Capacity;
        worker.Confirmed = worker.QueuesProvenBy(reportedAt, _liveness.HeartbeatInterval / 2);
        worker.Draining = beat.Draining;
        worker.Advertise(beat.Tags);
        worker.Heard(now);
        // Older than one already applied: the broker redelivered it (after a restart of either side). What it leaves
        // out proves nothing about what the worker runs now.
        var outOfOrder = reportedAt < worker.LastReportedAt;
        if (!outOfOrder)
        {
            worker.LastReportedAt = reportedAt;
        }

        var claimed = new HashSet<(Guid, int)>();
        foreach (var run in beat.Running)
        {
            if (run.Attempt < 1)
            {
                // Attempts are numbered from 1: this names none, so it proves nothing and is not worth a cancel.
                continue;
            }

            claimed.Add((run.TaskId, run.Attempt));
            if (_active.TryGetValue(run.TaskId, out var claimedTask) && run.Attempt > claimedTask.Attempt)
            {
                // An attempt never issued: no worker can hold it. Cancelling it would kill that attempt once it is
                // issued, so the claim is ignored.
                continue;
            }

            if (!IsCurrentAttempt(run.TaskId, run.Attempt, worker.Id))
            {
                if (worker.HasReportedEnd(run.TaskId, run.Attempt))
                {
                    // Its result (or pause) is in: the attempt is over, and the heartbeat was sent before that was confirmed.
                    continue;
                }

                _effects.Cancels.Add(new WorkerCancel(worker.Id, new CancelTask(run.TaskId, run.Attempt, "superseded")));
                continue;
            }

            // The worker runs it: the first such word is when it started, and it says how long it still needs.
            if (claimedTask!.MarkStarted(now))
            {
                Record(claimedTask, now, TaskHistoryEvents.Started, worker.Id, null, announce: false);
            }

            if (run.Remaining is { } remaining)
            {
                claimedTask.RecordEstimate(WorkerReports.Duration(remaining), now);
            }

            if (run.Progress is { } progress)
            {
                claimedTask.RecordProgress(WorkerReports.Progress(progress));
            }
        }

        if (outOfOrder)
        {
            return effects;
        }

        worker.ReconcileStopping(claimed, now, _liveness.ReconcileGrace);
        foreach (var id in worker.InFlight.ToList())
        {
            var task = _active[id];
            var assignedAt = task.AssignedAt ?? DateTimeOffset.MinValue;
            assignedAt = assignedAt > _assignmentsHeldUntil ? assignedAt : _assignmentsHeldUntil;
            // Only the current attempt counts: an older attempt of the same task proves nothing about this one. And
            // only a heartbeat the worker sent well after the assignment (a window later on its own clock, which
            // allows for clocks that far apart) proves it absent: a heartbeat from before it, redelivered after a
            // restart of the scheduler, would requeue an attempt that is running.
            if (!claimed.Contains((id, task.Attempt))
                && now - assignedAt > _liveness.ReconcileGrace
                && beat.At - assignedAt > _liveness.Window)
            {
                Requeue(task, $"worker {worker.Id} no longer reports attempt {task.Attempt}", now, workerDied: false);
            }
        }

        return effects;
    }

    /// <summary>Applies a worker's result. Returns false when the result is fenced off (stale or forged).</summary>
    public CoreResult<bool> Finish(TaskFinished result)
    {
        var effects = Begin();
        var now = _time.GetUtcNow();
        result = WorkerReports.Bound(result, now);
        if (!AttemptEnded(result.WorkerId, result.TaskId, result.Attempt, now, out var worker))
        {
            return new(false, effects);
        }

        var task = _active[result.TaskId];
        Release(task, worker, now);
        if (task.StartedAt is not { } heard)
        {
            AddHistory(task, ScheduledTask.StartedStep(result.StartedAt, task.AssignedAt, now), TaskHistoryEvents.Started, worker.Id, null);
        }
        else
        {
            // A heartbeat dated the step when it was heard; the worker knows when it started.
            task.DateStartedStep(result.StartedAt, heard);
        }

        if (result.Outcome == TaskOutcome.Completed && ResultTooLarge(result.Result) is { } tooLarge)
        {
            // A hostile or broken worker: the handler library refuses such a result before it is sent.
            result = result with { Outcome = TaskOutcome.Failed, Error = tooLarge, Result = null };
        }

        if (result.Outcome == TaskOutcome.Completed)
        {
            task.Finish(result.Outcome, result.Error, result.StartedAt, result.FinishedAt, result.Result);
            worker.Completed++;
            Counters.Completed++;
            Record(task, now, TaskHistoryEvents.Completed, worker.Id, null);
            _active.Remove(task.Id);
            foreach (var released in _dependencies.Completed(task.Id))
            {
                // Not journaled: whether a task still waits follows from its dependencies' states after a restart.
                Enqueue(released, now);
            }

            return new(true, effects);
        }

        worker.Failed++;
        if (task.Retries < task.MaxRetries)
        {
            var retryAt = TimeMath.Plus(now, _retry.Backoff(task.Retries + 1));
            task.ScheduleRetry(result.Error, retryAt);
            _timedWaits.Add(task);
            Counters.RetriesScheduled++;
            Record(task, now, TaskHistoryEvents.RetryScheduled, worker.Id,
                $"attempt {result.Attempt} failed: {ShortError(task.Error)}; retry {task.Retries} of {task.MaxRetries} at {retryAt.ToString("O", CultureInfo.InvariantCulture)}");
            return new(true, effects);
        }

        task.Finish(result.Outcome, result.Error, result.StartedAt, result.FinishedAt);
        Counters.Failed++;
        Record(task, now, TaskHistoryEvents.Failed, worker.Id, ShortError(task.Error));
        _active.Remove(task.Id);
        FailDependents(task, now);
        return new(true, effects);
    }

    /// <summary>
    /// A worker paused an attempt on a preempt order: the task goes back to the queue in its original place, keeping
    /// its progress. Returns false when the report is fenced off.
    /// </summary>
    public CoreResult<bool> Preempted(TaskPreempted report)
    {
        var effects = Begin();
        var now = _time.GetUtcNow();
        if (!AttemptEnded(report.WorkerId, report.TaskId, report.Attempt, now, out var worker))
        {
            return new(false, effects);
        }

        var task = _active[report.TaskId];
        var why = task.PreemptReason;
        Release(task, worker, now);
        var checkpoint = CheckpointTooLarge(report.Checkpoint) ? null : report.Checkpoint;
        task.Pause(checkpoint, $"preempted on worker {worker.Id}{(why is null ? "" : $" {why}")}");
        _pending.Add(task);
        Counters.Preempted++;
        Record(task, now, TaskHistoryEvents.Preempted, worker.Id,
            $"paused{(why is null ? "" : $" {why}")} {DescribeCheckpoint(task.Checkpoint)}; waits to resume");
        return new(true, effects);
    }

    /// <summary>
    /// A running attempt saved a checkpoint: journaled, so the next attempt starts from it should this one be lost.
    /// Returns false when the report is fenced off (not the current attempt on that worker, or too large).
    /// </summary>
    public CoreResult<bool> Checkpointed(TaskCheckpointed report)
    {
        var effects = Begin();
        if (_workers.TryGetValue(report.WorkerId, out var worker))
        {
            worker.Heard(_time.GetUtcNow());
        }

        if (!IsCurrentAttempt(report.TaskId, report.Attempt, report.WorkerId) || CheckpointTooLarge(report.Checkpoint))
        {
            Counters.FencedResults++;
            return new(false, effects);
        }

        var task = _active[report.TaskId];
        task.SaveCheckpoint(report.Checkpoint);
        _effects.Changed[task.Id] = task.ToSnapshot();
        return new(true, effects);
    }

    public CoreEffects WorkerLeft(WorkerLeft left)
    {
        var effects = Begin();
        if (_workers.TryGetValue(left.WorkerId, out var worker))
        {
            RemoveWorker(worker, $"worker {worker.Id} left", workerDied: false);
        }

        return effects;
    }

    /// <summary>An assignment came back undeliverable: the worker's queue is gone, so the worker cannot be used.</summary>
    public CoreEffects AssignmentUndeliverable(Assignment assignment)
    {
        var effects = Begin();
        var now = _time.GetUtcNow();
        if (IsCurrentAttempt(assignment.TaskId, assignment.Attempt, assignment.WorkerId))
        {
            Requeue(_active[assignment.TaskId], $"assignment to worker {assignment.WorkerId} could not be delivered", now, workerDied: false);
        }

        if (_workers.TryGetValue(assignment.WorkerId, out var worker))
        {
            // It gets work again when it heartbeats, which it does only once it consumes its queue again.
            worker.Confirmed = false;
        }

        return effects;
    }

    /// <summary>
    /// A worker reports the end of an attempt (a result, a pause): it is heard and the attempt no longer occupies it.
    /// False, and counted, when the report is fenced off: not the current attempt, or not on that worker.
    /// </summary>
    private bool AttemptEnded(string workerId, Guid taskId, int attempt, DateTimeOffset now, [NotNullWhen(true)] out WorkerEntry? worker)
    {
        if (_workers.TryGetValue(workerId, out worker))
        {
            worker.Heard(now);
            worker.Stopped(taskId, attempt);
        }

        if (!IsCurrentAttempt(taskId, attempt, workerId) || worker is null)
        {
            Counters.FencedResults++;
            return false;
        }

        return true;
    }

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
            _tallies.Restore(worker);
            _workers.Add(id, worker);
        }

        return worker;
    }

    private void RemoveWorker(WorkerEntry worker, string reason, bool workerDied)
    {
        RequeueAll(worker, reason, workerDied);
        _workers.Remove(worker.Id);
        _tallies.Keep(worker);
        _effects.RemovedWorkers.Add(worker.Id);
    }

    private static string? ResultTooLarge(string? result)
    {
        var bytes = result is null ? 0 : Encoding.UTF8.GetByteCount(result);
        return bytes <= Limits.MaxResultBytes ? null : $"the result of {bytes} bytes exceeds the limit of {Limits.MaxResultBytes} bytes";
    }

    private static bool CheckpointTooLarge(string? checkpoint) =>
        checkpoint is not null && Encoding.UTF8.GetByteCount(checkpoint) > Limits.MaxCheckpointBytes;

    /// <summary>The start of an error text, for a history step: the task keeps the whole text once, as its error.</summary>
    private static string? ShortError(string? error) => BoundedText.TruncateOrNull(error, ShortErrorChars);
}
