using System.Globalization;
using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// The scheduling brain, free of I/O: it holds the unfinished tasks, the pending queue, the dependency index, the
/// retry schedule and the worker registry, applies submissions, cancellations and worker messages, and records in
/// <see cref="Effects"/> what must be journaled and sent. One thread drives it; readers on other threads use
/// <see cref="View"/>.
/// </summary>
public sealed class SchedulerCore
{
    /// <summary>The start of an error a history step carries: the task's error holds it whole (up to its limit) once.</summary>
    private const int ShortErrorChars = 256;

    private readonly Dictionary<Guid, ScheduledTask> _active = [];
    private readonly PendingQueue _pending = new();
    private readonly DependencyTracker _dependencies = new();
    private readonly RetrySchedule _retries = new();
    private readonly HashSet<Guid> _preempting = [];
    private readonly Dictionary<string, WorkerEntry> _workers = new(StringComparer.Ordinal);
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

    public CoreEffects Effects { get; } = new();

    /// <summary>The most tasks one graph may hold (<c>Scheduler:MaxGraphTasks</c>); a larger graph is refused whole.</summary>
    public int MaxGraphTasks { get; init; } = 20_000;

    /// <summary>
    /// Requeues after the death of the worker running it that a task gets (<c>Scheduler:MaxRequeues</c>); at the
    /// next death it fails as poison instead of killing worker after worker.
    /// </summary>
    public int MaxRequeues { get; init; } = 5;

    public SchedulerCounters Counters { get; } = new();

    /// <summary>Tasks in the queue, ready to run as soon as a slot is free.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Pending tasks that wait for dependencies to complete.</summary>
    public int WaitingOnDependenciesCount => _dependencies.WaitingCount;

    /// <summary>Pending tasks that wait out a retry's backoff.</summary>
    public int RetryWaitingCount => _retries.Count;

    public int ActiveCount => _active.Count;

    public int RunningCount => _active.Count - _pending.Count - _dependencies.WaitingCount - _retries.Count;

    public IReadOnlyDictionary<string, WorkerEntry> Workers => _workers;

    /// <summary>When the core next has work of its own to do (a retry falls due), or null.</summary>
    public DateTimeOffset? NextWakeAt => _retries.NextAt;

    public ScheduledTask? FindActive(Guid id) => _active.GetValueOrDefault(id);

    /// <summary>Rebuilds the state committed before a restart from the journal's unfinished tasks.</summary>
    public void Restore(IEnumerable<TaskSnapshot> unfinished, long lastSequence)
    {
        var now = _time.GetUtcNow();
        _sequence = Math.Max(_sequence, lastSequence);
        var restored = new List<ScheduledTask>();
        foreach (var snapshot in unfinished)
        {
            var task = ScheduledTask.Restore(snapshot);
            _active[task.Id] = task;
            _sequence = Math.Max(_sequence, task.Sequence);
            restored.Add(task);
        }

        // Only once every unfinished task is known can a dependency be told finished (absent) from unfinished.
        foreach (var task in restored)
        {
            if (task.State == TaskState.Pending)
            {
                if (_dependencies.Track(task, _active))
                {
                    continue;
                }

                if (task.Wait == PendingWait.RetryBackoff && task.RetryAt is not null)
                {
                    _retries.Add(task);
                }
                else
                {
                    _pending.Add(task);
                }

                continue;
            }

            // Running on a worker we have not heard from yet: keep it there for one liveness window.
            var worker = GetOrAddWorker(task.WorkerId!, capacity: 0, now, confirmed: false);
            worker.RestoreHold(task.Id);
        }
    }

    /// <summary>Submits one plain task (no dependencies, no retries): the hot path.</summary>
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
        Accept(new ScheduledTask(id, priority, ++_sequence, now, contentHash, payloadBytes), now);
        return SubmitOutcome.Accepted;
    }

    /// <summary>
    /// Submits a graph: tasks that may depend on each other and on tasks submitted before. All or nothing: an id
    /// taken by other content, an unknown dependency or a cycle rejects the whole graph. Tasks seen before with the
    /// same content are left as they are. <paramref name="journaled"/> holds what the journal knows of every id the
    /// graph names (tasks and dependencies) that is not unfinished here.
    /// </summary>
    public SubmitVerdict Submit(IReadOnlyList<ParsedSubmission> tasks, IReadOnlyDictionary<Guid, TaskSnapshot> journaled)
    {
        if (tasks.Count > MaxGraphTasks)
        {
            Counters.Rejected++;
            return new SubmitVerdict(SubmitOutcome.Invalid, string.Create(CultureInfo.InvariantCulture,
                $"the graph holds {tasks.Count:N0} tasks; a graph holds at most {MaxGraphTasks:N0} (Scheduler:MaxGraphTasks)"));
        }

        var verdict = Check(tasks, journaled, out var fresh, out var ordered);
        if (verdict is not null)
        {
            if (verdict.IsRejected)
            {
                Counters.Rejected++;
            }
            else
            {
                Counters.Duplicates += tasks.Count;
            }

            return verdict;
        }

        Counters.Duplicates += tasks.Count - fresh.Count;
        var now = _time.GetUtcNow();
        var created = new Dictionary<Guid, ScheduledTask>(fresh.Count);
        foreach (var t in fresh)
        {
            // Sequences follow the order of the submission: FIFO among equals, as for separate submissions.
            created[t.Id] = new ScheduledTask(t.Id, t.Priority, ++_sequence, now, t.ContentHash, t.PayloadBytes, t.DependsOn, t.MaxRetries)
            {
                Timeout = t.Timeout,
            };
        }

        // Dependencies before dependents, so a task whose dependency has already failed fails, and takes its own
        // dependents in this graph with it.
        var doomed = new Dictionary<Guid, string>();
        foreach (var t in ordered)
        {
            var task = created[t.Id];
            var failed = t.DependsOn.FirstOrDefault(d =>
                doomed.ContainsKey(d) || (journaled.TryGetValue(d, out var j) && j.State is TaskState.Failed or TaskState.Cancelled));
            if (failed == Guid.Empty)
            {
                Accept(task, now);
                continue;
            }

            var reason = doomed.TryGetValue(failed, out var why)
                ? $"dependency {failed} failed ({why})"
                : $"dependency {failed} {(journaled[failed].State == TaskState.Cancelled ? "was cancelled" : "failed")}";
            Counters.Accepted++;
            Effects.History.Add(new HistoryRecord(task.Id, TaskHistory.Accepted(now, task.Priority, task.DependsOn.Count, task.MaxRetries)));
            task.FailForDependency(reason, now);
            Counters.DependencyFailed++;
            Record(task, now, TaskHistoryEvents.DependencyFailed, null, reason);
            doomed[task.Id] = reason;
        }

        return SubmitVerdict.Accepted;
    }

    /// <summary>Counts a submission refused before it reached the core (unreadable, invalid).</summary>
    public void CountRejected() => Counters.Rejected++;

    /// <summary>
    /// Cancels a task: a Pending one leaves the queue, a Running one is told to stop on its worker. Either way it is
    /// Cancelled at once, and whatever depends on it fails. <paramref name="journaled"/> is the journal's record when
    /// the task is not unfinished here.
    /// </summary>
    public CancelOutcome Cancel(Guid id, string reason, TaskSnapshot? journaled)
    {
        if (!_active.TryGetValue(id, out var task))
        {
            return journaled is null ? CancelOutcome.NotFound
                : journaled.State == TaskState.Cancelled ? CancelOutcome.AlreadyCancelled
                : journaled.State.IsFinal() ? CancelOutcome.AlreadyFinished
                : throw new InvalidOperationException($"Task {id} is {journaled.State} in the journal but not known to the core.");
        }

        var now = _time.GetUtcNow();
        var workerId = task.WorkerId;
        Withdraw(task, reason, now);
        task.Cancel(reason, now);
        Counters.Cancelled++;
        Record(task, now, TaskHistoryEvents.Cancelled, workerId, reason);
        _active.Remove(id);
        FailDependents(task, now);
        return CancelOutcome.Cancelled;
    }

    /// <summary>
    /// The journal cannot store the task's document (<paramref name="reason"/> says why): the task fails, its
    /// dependents with it, and what is journaled of it is cut to its last step, so the group can be written and the
    /// scheduler goes on. A running attempt is told to stop.
    /// </summary>
    public void FailUnstorable(Guid id, string reason)
    {
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

        if (Effects.Changed.TryGetValue(id, out var snapshot))
        {
            Effects.Changed[id] = snapshot with { Error = reason, Note = null, History = [.. snapshot.History.TakeLast(1)] };
        }
    }

    public void WorkerJoined(WorkerJoined joined)
    {
        if (!IsPlausible(joined.WorkerId, joined.Capacity))
        {
            return;
        }

        var now = _time.GetUtcNow();
        var worker = GetOrAddWorker(joined.WorkerId, joined.Capacity, now, confirmed: true);
        var reportedAt = WorkerReports.ReportedAt(joined.At, now);
        if (reportedAt < worker.LastReportedAt)
        {
            // Redelivered after a broker restart: this process has reported since, so it is no news.
            worker.Heard(now);
            return;
        }

        // A process that just started holds nothing, whatever we thought its predecessor of the same id held.
        RequeueAll(worker, $"worker {worker.Id} restarted", workerDied: true);
        worker.ClearStopping();
        worker.LastReportedAt = reportedAt;
        worker.Capacity = joined.Capacity;
        worker.Confirmed = true;
        worker.Draining = false;
        worker.Heard(now);
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
        worker.Heard(now);
        var reportedAt = WorkerReports.ReportedAt(beat.At, now);
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

                Effects.Cancels.Add(new WorkerCancel(worker.Id, new CancelTask(run.TaskId, run.Attempt, "superseded")));
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
            return;
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
    }

    /// <summary>Applies a worker's result. Returns false when the result is fenced off (stale or forged).</summary>
    public bool Finish(TaskFinished result)
    {
        var now = _time.GetUtcNow();
        result = WorkerReports.Bound(result, now);
        if (_workers.TryGetValue(result.WorkerId, out var worker))
        {
            worker.Heard(now);
            worker.Stopped(result.TaskId, result.Attempt);
        }

        if (!IsCurrentAttempt(result.TaskId, result.Attempt, result.WorkerId) || worker is null)
        {
            Counters.FencedResults++;
            return false;
        }

        var task = _active[result.TaskId];
        Release(task, worker, now);
        if (task.StartedAt is null)
        {
            AddHistory(task, result.StartedAt, TaskHistoryEvents.Started, worker.Id, null);
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
                _pending.Add(released);
            }

            return true;
        }

        worker.Failed++;
        if (task.Retries < task.MaxRetries)
        {
            var retryAt = TimeMath.Plus(now, _retry.Backoff(task.Retries + 1));
            task.ScheduleRetry(result.Error, retryAt);
            _retries.Add(task);
            Counters.RetriesScheduled++;
            Record(task, now, TaskHistoryEvents.RetryScheduled, worker.Id,
                $"attempt {result.Attempt} failed: {ShortError(task.Error)}; retry {task.Retries} of {task.MaxRetries} at {retryAt.ToString("O", CultureInfo.InvariantCulture)}");
            return true;
        }

        task.Finish(result.Outcome, result.Error, result.StartedAt, result.FinishedAt);
        Counters.Failed++;
        Record(task, now, TaskHistoryEvents.Failed, worker.Id, ShortError(task.Error));
        _active.Remove(task.Id);
        FailDependents(task, now);
        return true;
    }

    /// <summary>
    /// A worker paused an attempt on a preempt order: the task goes back to the queue in its original place, keeping
    /// its progress. Returns false when the report is fenced off.
    /// </summary>
    public bool Preempted(TaskPreempted report)
    {
        var now = _time.GetUtcNow();
        if (_workers.TryGetValue(report.WorkerId, out var worker))
        {
            worker.Heard(now);
            worker.Stopped(report.TaskId, report.Attempt);
        }

        if (!IsCurrentAttempt(report.TaskId, report.Attempt, report.WorkerId) || worker is null)
        {
            Counters.FencedResults++;
            return false;
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
        return true;
    }

    /// <summary>
    /// A running attempt saved a checkpoint: journaled, so the next attempt starts from it should this one be lost.
    /// Returns false when the report is fenced off (not the current attempt on that worker, or too large).
    /// </summary>
    public bool Checkpointed(TaskCheckpointed report)
    {
        if (_workers.TryGetValue(report.WorkerId, out var worker))
        {
            worker.Heard(_time.GetUtcNow());
        }

        if (!IsCurrentAttempt(report.TaskId, report.Attempt, report.WorkerId) || CheckpointTooLarge(report.Checkpoint))
        {
            Counters.FencedResults++;
            return false;
        }

        var task = _active[report.TaskId];
        task.SaveCheckpoint(report.Checkpoint);
        Effects.Changed[task.Id] = task.ToSnapshot();
        return true;
    }

    public void WorkerLeft(WorkerLeft left)
    {
        if (_workers.TryGetValue(left.WorkerId, out var worker))
        {
            RemoveWorker(worker, $"worker {worker.Id} left", workerDied: false);
        }
    }

    /// <summary>An assignment came back undeliverable: the worker's queue is gone, so the worker cannot be used.</summary>
    public void AssignmentUndeliverable(Assignment assignment)
    {
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
    }

    /// <summary>
    /// The scheduler lost its broker connection: no heartbeat can reach it, so silence proves nothing until
    /// <see cref="BrokerReconnected"/>.
    /// </summary>
    public void BrokerDisconnected() => _livenessFrom = DateTimeOffset.MaxValue;

    /// <summary>
    /// The assignments decided so far went out only now: the journal could not write the group that made them, and
    /// nothing is sent before it is journaled. Reconciliation counts their absence from heartbeats from now, not
    /// from when they were decided, or heartbeats sent while they were held back would requeue them.
    /// </summary>
    public void AssignmentsHeldUntil(DateTimeOffset now) => _assignmentsHeldUntil = now;

    /// <summary>
    /// The broker is back. Workers reconnect on their own schedule: each gets a full window beyond the usual one
    /// to be heard from again before it is declared dead.
    /// </summary>
    public void BrokerReconnected() => _livenessFrom = _time.GetUtcNow() + _liveness.Window;

    /// <summary>
    /// The loop has taken its inputs; <paramref name="drained"/> when it left none waiting. Liveness measures the
    /// workers, not the scheduler: a pause since the previous taking longer than
    /// <see cref="LivenessOptions.AttentionInterval"/> (the process frozen, a stalled disk, a blocked broker
    /// connection) is time in which no heartbeat could be read, so it is not counted against any worker. While inputs
    /// are left waiting, heartbeats may be among them: liveness is not checked until the loop has caught up, for one
    /// window at most, so that a dead worker is still found under a backlog that never ends.
    /// </summary>
    public void Attend(bool drained)
    {
        var now = _time.GetUtcNow();
        var unattendedFrom = _attendedAt + _liveness.AttentionInterval;
        if (now > unattendedFrom)
        {
            foreach (var worker in _workers.Values)
            {
                worker.Excuse(unattendedFrom, now);
            }
        }

        _attendedAt = now;
        _backlogSince = drained ? null : _backlogSince ?? now;
    }

    /// <summary>Declares dead every worker silent for longer than the liveness window, and requeues its tasks.</summary>
    public void CheckLiveness()
    {
        var now = _time.GetUtcNow();
        if (now < _livenessFrom)
        {
            return;
        }

        if (_backlogSince is { } since && now - since <= _liveness.Window)
        {
            // Catching up on unread input: a worker's latest heartbeat may be waiting in it.
            return;
        }

        foreach (var worker in _workers.Values.ToList())
        {
            var heardFrom = worker.LastSeen > _livenessFrom ? worker.LastSeen : _livenessFrom;
            if (worker.SilenceSince(heardFrom, now) > _liveness.Window)
            {
                Counters.WorkersDeclaredDead++;
                RemoveWorker(worker, $"worker {worker.Id} missed {_liveness.MissedHeartbeats} heartbeats", workerDied: true);
            }
        }
    }

    /// <summary>
    /// Queues the retries that are due, fills free worker slots from the pending queue, fairly, and when pending
    /// tasks outrank running ones and no slot is free, orders preemptions. Returns how many tasks were assigned.
    /// </summary>
    public int Dispatch()
    {
        var now = _time.GetUtcNow();
        foreach (var id in _retries.TakeDue(now))
        {
            _pending.Add(_active[id]);
        }

        var assigned = 0;
        while (_pending.Count > 0)
        {
            var worker = FairShareDispatcher.Choose(_workers.Values);
            if (worker is null || !_pending.TryDequeue(out var id))
            {
                break;
            }

            var task = _active[id];
            var resumes = task.Checkpoint is not null;
            task.Assign(worker.Id, now);
            worker.Hold(id);
            worker.IdleSince = now;
            Effects.Assignments.Add(new Assignment(task.Id, task.Attempt, task.Priority, worker.Id, now) { Checkpoint = task.Checkpoint, Timeout = task.Timeout });
            if (Effects.Cancels.Count > 0)
            {
                // A heartbeat of this same group claimed this attempt before the task was known (a forgery, or a
                // message that overtook the submission); that cancel must not chase the attempt issued now.
                Effects.Cancels.RemoveAll(c => c.Order.TaskId == task.Id && c.Order.Attempt == task.Attempt);
            }

            if (resumes)
            {
                Counters.Resumed++;
                Record(task, now, TaskHistoryEvents.Resumed, worker.Id, $"from its {DescribeCheckpoint(task.Checkpoint)}");
            }
            else
            {
                Record(task, now, TaskHistoryEvents.Assigned, worker.Id, null);
            }

            assigned++;
        }

        if (_pending.Count > 0 && _preemption.Enabled)
        {
            PlanPreemptions(now);
        }

        return assigned;
    }

    public SchedulerView View()
    {
        var workers = _workers.Values
            .OrderBy(w => w.Id, StringComparer.Ordinal)
            .Select(w => new WorkerView(w.Id, w.Capacity, w.Occupied, w.Draining, w.Confirmed, w.LastSeen, w.Completed, w.Failed))
            .ToArray();
        return new SchedulerView(workers, _pending.CountByPriority(), _pending.Count, RunningCount, Counters.Copy(), _time.GetUtcNow())
        {
            WaitingOnDependencies = _dependencies.WaitingCount,
            RetryWaiting = _retries.Count,
            Progress = RunningProgress(),
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

    /// <summary>
    /// Pending tasks that no free slot can take may preempt running tasks they outrank. Slots already being freed by
    /// outstanding orders are spoken for by the first pending tasks; each next one gets a victim, until one finds none
    /// (those after it rank no higher, so they would find none either).
    /// </summary>
    private void PlanPreemptions(DateTimeOffset now)
    {
        var freeing = 0;
        foreach (var id in _preempting.ToList())
        {
            if (!_active.TryGetValue(id, out var task) || task.PreemptRequestedAt is not { } since)
            {
                _preempting.Remove(id);
            }
            else if (now - since > _liveness.ReconcileGrace)
            {
                // No answer in time: the order was lost or the worker never saw the task. It may be asked again.
                task.ForgetPreemptionRequest();
                _preempting.Remove(id);
            }
            else
            {
                freeing++;
            }
        }

        List<(ScheduledTask, WorkerEntry)>? running = null;
        foreach (var (priority, id) in _pending.InOrder())
        {
            if (freeing-- > 0)
            {
                continue;
            }

            running ??= RunningTasks();
            var victim = PreemptionPlanner.ChooseVictim(priority, running, _preemption, now);
            if (victim is null)
            {
                break;
            }

            var reason = $"for task {id} of priority {priority.ToString(CultureInfo.InvariantCulture)}";
            victim.RequestPreemption(now, reason);
            _preempting.Add(victim.Id);
            Effects.Preempts.Add(new WorkerPreempt(victim.WorkerId!, new PreemptTask(victim.Id, victim.Attempt, reason)));
            Counters.PreemptionsOrdered++;
        }
    }

    private List<(ScheduledTask, WorkerEntry)> RunningTasks()
    {
        var running = new List<(ScheduledTask, WorkerEntry)>();
        foreach (var worker in _workers.Values)
        {
            foreach (var id in worker.InFlight)
            {
                running.Add((_active[id], worker));
            }
        }

        return running;
    }

    private void Accept(ScheduledTask task, DateTimeOffset now)
    {
        _active.Add(task.Id, task);
        Counters.Accepted++;
        if (!_dependencies.Track(task, _active))
        {
            _pending.Add(task);
        }

        Effects.Changed[task.Id] = task.ToSnapshot();
        Effects.Events.Add(new TaskStateChanged(task.Id, task.State, task.Priority, task.Attempt, task.WorkerId, task.Error, now));
        Effects.History.Add(new HistoryRecord(task.Id, TaskHistory.Accepted(now, task.Priority, task.DependsOn.Count, task.MaxRetries)));
    }

    /// <summary>
    /// Returns null when the graph may be accepted (with its new tasks, and those in dependency order), else the
    /// verdict: duplicate when every task is known with the same content, or the reason for rejecting it.
    /// </summary>
    private SubmitVerdict? Check(
        IReadOnlyList<ParsedSubmission> tasks,
        IReadOnlyDictionary<Guid, TaskSnapshot> journaled,
        out List<ParsedSubmission> fresh,
        out List<ParsedSubmission> ordered)
    {
        fresh = [];
        ordered = [];
        if (tasks.Count == 0)
        {
            return new SubmitVerdict(SubmitOutcome.Invalid, "a graph holds at least one task");
        }

        var ids = new HashSet<Guid>();
        foreach (var t in tasks)
        {
            if (!ids.Add(t.Id))
            {
                return new SubmitVerdict(SubmitOutcome.Invalid, $"task {t.Id} appears more than once in the graph");
            }

            var existing = _active.TryGetValue(t.Id, out var active) ? active.ToSnapshot() : journaled.GetValueOrDefault(t.Id);
            if (existing is null)
            {
                fresh.Add(t);
            }
            else if (existing.Priority != t.Priority || existing.ContentHash != t.ContentHash)
            {
                return new SubmitVerdict(SubmitOutcome.Conflict, $"task {t.Id}: {SubmitVerdict.ConflictReason}");
            }
        }

        if (fresh.Count == 0)
        {
            return SubmitVerdict.Duplicate;
        }

        foreach (var t in fresh)
        {
            foreach (var dependency in t.DependsOn)
            {
                if (dependency == t.Id)
                {
                    return new SubmitVerdict(SubmitOutcome.Invalid, $"task {t.Id} depends on itself");
                }

                if (!ids.Contains(dependency) && !_active.ContainsKey(dependency) && !journaled.ContainsKey(dependency))
                {
                    return new SubmitVerdict(SubmitOutcome.Invalid, $"task {t.Id} depends on task {dependency}, which is unknown or expired");
                }
            }
        }

        return GraphCheck.TryOrder(fresh, out ordered, out var cycle) ? null : new SubmitVerdict(SubmitOutcome.Invalid, cycle);
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

    private void RemoveWorker(WorkerEntry worker, string reason, bool workerDied)
    {
        RequeueAll(worker, reason, workerDied);
        _workers.Remove(worker.Id);
        Effects.RemovedWorkers.Add(worker.Id);
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

            reason = string.Create(CultureInfo.InvariantCulture,
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
        var error = string.Create(CultureInfo.InvariantCulture, $"poison: killed {task.WorkerDeaths} {(task.WorkerDeaths == 1 ? "worker" : "workers")}");
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
            Effects.Cancels.Add(new WorkerCancel(workerId!, new CancelTask(task.Id, task.Attempt, reason)));
        }
        else if (!_pending.Remove(task) && task.RetryAt is not null)
        {
            _retries.Remove(task);
        }

        _dependencies.Forget(task);
    }

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
        Effects.Changed[task.Id] = task.ToSnapshot();
        if (announce)
        {
            var resultBytes = task.Result is null ? 0 : Encoding.UTF8.GetByteCount(task.Result);
            Effects.Events.Add(new TaskStateChanged(task.Id, task.State, task.Priority, task.Attempt, task.WorkerId, task.Error, now, task.StartedAt, task.FinishedAt)
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
        Effects.History.Add(new HistoryRecord(task.Id, entry));
    }

    private static string DescribeCheckpoint(string? checkpoint) =>
        checkpoint is null ? "without a checkpoint" : $"checkpoint of {Encoding.UTF8.GetByteCount(checkpoint)} bytes";

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
