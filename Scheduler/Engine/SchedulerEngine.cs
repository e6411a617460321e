using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Runs one group: applies its inputs to the core, writes what changed to the journal in one transaction, and
/// hands the group to delivery, which makes it durable (fsync) and only then sends what the group decided and
/// acknowledges the broker messages it consumed. While one group is being made durable and delivered the loop
/// already gathers, applies and writes the next (at most <see cref="GroupsInDelivery"/> more wait their turn);
/// groups are delivered strictly in order. A crash anywhere before the acknowledgements loses nothing: the broker
/// redelivers, and redelivered input is harmless (a duplicate submission is a no-op, a stale result is fenced).
/// </summary>
public sealed class SchedulerEngine
{
    /// <summary>
    /// Groups written and waiting for delivery. One: the next group is written while the previous one is made durable,
    /// and meanwhile inputs gather, so groups grow with load (a journal transaction has a high fixed cost).
    /// </summary>
    private const int GroupsInDelivery = 1;

    /// <summary>Groups whose orders and notices may await the broker's confirms at once.</summary>
    private const int OrderGroupsInFlight = 8;

    private readonly SchedulerCore _core;
    private readonly TaskJournal _journal;
    private readonly SchedulerTransport _transport;
    private readonly SchedulerState _state;
    private readonly WorkerDemandEstimator _demand;
    private readonly TimeProvider _time;
    private readonly SchedulerTelemetry _telemetry;
    private readonly ILogger<SchedulerEngine> _logger;
    private readonly List<Assignment> _returned = [];
    private readonly PayloadCache _payloads;
    private readonly Channel<Group> _delivery = Channel.CreateBounded<Group>(
        new BoundedChannelOptions(GroupsInDelivery) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Queue<Task> _ordersInFlight = new();
    private readonly RetentionPolicy _retention;
    private readonly ExpirySchedule _expiry = new();
    private readonly TaskActions _actions;

    public SchedulerEngine(
        SchedulerCore core,
        TaskJournal journal,
        SchedulerTransport transport,
        SchedulerState state,
        WorkerDemandEstimator demand,
        TimeProvider time,
        SchedulerTelemetry telemetry,
        ILogger<SchedulerEngine> logger,
        PayloadCache payloads,
        RetentionPolicy retention)
    {
        _payloads = payloads;
        _retention = retention;
        _demand = demand;
        _core = core;
        _journal = journal;
        _transport = transport;
        _state = state;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _actions = new TaskActions(core, journal, logger);
    }

    /// <summary>Rebuilds the core from the journal. Workers holding tasks get one liveness window to report in.</summary>
    public void Restore()
    {
        // Streamed from the journal: a million snapshots are never in memory at once, only the tasks made of them.
        _core.Restore(_journal.LoadUnfinished(), _journal.LastSequence());
        _logger.LogInformation(
            "Journal restored: {Pending} pending and {Running} running tasks, {Workers} workers awaited",
            _core.ActiveCount - _core.RunningCount, _core.RunningCount, _core.Workers.Count);
        PublishView();
    }

    /// <summary>When the engine next has work of its own (a retry falls due, expired tasks to delete).</summary>
    public DateTimeOffset? NextWakeAt => _core.NextWakeAt is { } retry && retry < _expiry.NextAt ? retry : _expiry.NextAt;

    /// <summary>
    /// Processes one group; <paramref name="drained"/> says the loop left no input waiting. Returns true when follow-up
    /// work is already known (returned assignments).
    /// </summary>
    public async Task<bool> RunAsync(IReadOnlyList<SchedulerInput> inputs, bool checkLiveness, bool drained, CancellationToken ct)
    {
        _core.Attend(drained);
        var group = new Group();
        lock (_returned)
        {
            foreach (var returned in _returned)
            {
                _core.AssignmentUndeliverable(returned);
            }

            _returned.Clear();
        }

        foreach (var input in inputs)
        {
            Apply(input, group);
        }

        if (checkLiveness)
        {
            _transport.Probe();
            var removedBefore = _core.Effects.RemovedWorkers.Count;
            _core.CheckLiveness();
            foreach (var dead in _core.Effects.RemovedWorkers.Skip(removedBefore))
            {
                _logger.LogWarning("Worker {WorkerId} declared dead: no heartbeat for longer than the liveness window", dead);
            }
        }

        _core.Dispatch();

        var effects = _core.Effects;
        TimeSpan? commit = null;
        if (effects.Changed.Count > 0 || group.Payloads.Count > 0)
        {
            try
            {
                _journal.Write(effects.Changed.Values, group.Payloads);
            }
            catch (LiteDB.LiteException e) when (FailUnstorableTasks(effects, e))
            {
                _journal.Write(effects.Changed.Values, group.Payloads);
            }

            group.Written = true;
            commit = _journal.LastCommitDuration;
            _state.RecordCommit(commit.Value, inputs.Count);
        }

        ExpireFinishedTasks(group);
        _telemetry.GroupCommitted(inputs, effects, commit);

        group.Assignments = [.. effects.Assignments.Select(a => (a, PayloadOf(a.TaskId, group)))];
        KeepPayloadsOfWaitingTasks(group, effects);
        group.Events = [.. effects.Events];
        group.Cancels = [.. effects.Cancels];
        group.Preempts = [.. effects.Preempts];
        group.RemovedWorkers = [.. effects.RemovedWorkers];
        effects.Clear();

        await _delivery.Writer.WriteAsync(group, ct);
        PublishView();
        lock (_returned)
        {
            return _returned.Count > 0;
        }
    }

    /// <summary>
    /// Delivers written groups in order until cancelled: one fsync for whatever groups are waiting, then for each
    /// its HTTP replies, orders and notices, stored rejections and broker acknowledgements. A failed fsync stops
    /// the scheduler (nothing is acknowledged that is not durable); the broker redelivers the rest.
    /// </summary>
    public async Task DeliverAsync(CancellationToken ct)
    {
        var batch = new List<Group>();
        try
        {
            while (await _delivery.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (_delivery.Reader.TryRead(out var group))
                {
                    batch.Add(group);
                }

                if (batch.Exists(g => g.Written))
                {
                    _journal.MakeDurable();
                    _state.RecordFlush(_journal.LastFlushDuration);
                }

                foreach (var group in batch)
                {
                    await FinishAsync(group, ct);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The loop's next hand-over rethrows this, so the scheduler stops instead of running on undurably.
            _delivery.Writer.TryComplete(e);
            throw;
        }
    }

    private async Task FinishAsync(Group group, CancellationToken ct)
    {
        foreach (var (reply, verdict) in group.HttpReplies)
        {
            reply.TrySetResult(verdict);
        }

        foreach (var (reply, outcome) in group.CancelReplies)
        {
            reply.TrySetResult(outcome);
        }

        foreach (var (reply, verdicts) in group.ActionReplies)
        {
            reply.TrySetResult(verdicts);
        }

        // Orders and notices of this group go out while later groups are made durable. The broker confirms a
        // persistent message only once it is on its disk, so a group does not wait for the previous group's confirms
        // (that would add the broker's disk sync to every task's latency); a few groups in flight keep memory bounded.
        // Nothing is acknowledged on their account; an assignment that is never confirmed is caught by
        // reconciliation, a lost notice changes no state.
        while (_ordersInFlight.Count > 0 && (_ordersInFlight.Peek().IsCompleted || _ordersInFlight.Count >= OrderGroupsInFlight))
        {
            await _ordersInFlight.Dequeue();
        }

        _ordersInFlight.Enqueue(SendOrdersAsync(group.Assignments, group.Events, group.Cancels, group.Preempts, ct));

        var rejectionsStored = await StoreRejectionsAsync(group, ct);
        foreach (var workerId in group.RemovedWorkers)
        {
            await DeleteQueuesAsync(workerId, ct);
        }

        if (rejectionsStored)
        {
            await AcknowledgeAsync(group, ct);
        }
    }

    /// <summary>
    /// One slice of expiry when due, in a transaction of its own after the group's: the group's own changes are
    /// written first, so a task finished or resubmitted in it is judged as it now stands. The deletes become durable
    /// with the group's fsync; lost in a crash, they are simply done again.
    /// </summary>
    private void ExpireFinishedTasks(Group group)
    {
        var now = _time.GetUtcNow();
        if (!_expiry.IsDue(now))
        {
            return;
        }

        var slice = _journal.Expire(_retention, now, ExpirySchedule.SliceSize);
        _expiry.SliceDone(slice.Total, now);
        if (slice.Total > 0)
        {
            group.Written = true;
            _core.Counters.Expired += slice.Tasks;
            _logger.LogDebug("Expiry deleted {Tasks} finished tasks and {Payloads} payloads of completed ones", slice.Tasks, slice.Payloads);
        }
    }

    /// <summary>
    /// New payloads of tasks still pending after dispatch go to the cache, so their dispatch needs no journal read;
    /// payloads of tasks that finished (or were cancelled) without being dispatched leave it.
    /// </summary>
    private void KeepPayloadsOfWaitingTasks(Group group, CoreEffects effects)
    {
        foreach (var (id, payload) in group.Payloads)
        {
            if (_core.FindActive(id) is { State: TaskState.Pending })
            {
                _payloads.Add(id, payload);
            }
        }

        group.Payloads.Clear();
        foreach (var (id, snapshot) in effects.Changed)
        {
            if (snapshot.State.IsFinal())
            {
                _payloads.Remove(id);
            }
        }
    }

    /// <summary>
    /// A write failed: if some task's document is too large for the journal, that task fails (with a reason) rather
    /// than the scheduler, and the group may be written again. False when no document is to blame.
    /// </summary>
    private bool FailUnstorableTasks(CoreEffects effects, LiteDB.LiteException error)
    {
        var oversized = TaskJournal.Oversized(effects.Changed.Values);
        foreach (var (id, bytes) in oversized)
        {
            _logger.LogError(error, "Task {TaskId} fails: its journal document would be {Bytes} bytes", id, bytes);
            _core.FailUnstorable(id, $"failed by the scheduler: the task's journal record grew to {bytes} bytes, beyond the journal's limit of {TaskJournal.MaxDocumentBytes}");
        }

        return oversized.Count > 0;
    }

    private void PublishView()
    {
        var view = _core.View();
        _state.Publish(view);
        _state.Autoscale = _demand.Update(view);
    }

    private void Apply(SchedulerInput input, Group group)
    {
        switch (input)
        {
            case BrokerSubmission { Graph: { } graph } s:
                group.SubmitTag = Math.Max(group.SubmitTag, s.DeliveryTag);
                var graphVerdict = SubmitGraph(graph, group);
                if (graphVerdict.IsRejected)
                {
                    Reject(s.Body, s.Headers, new SubmissionRejection(null, graphVerdict.Reason!), group, AnnouncedIds(graph));
                }

                break;

            case BrokerSubmission s:
                group.SubmitTag = Math.Max(group.SubmitTag, s.DeliveryTag);
                if (s.Parsed is null)
                {
                    _core.CountRejected();
                    Reject(s.Body, s.Headers, s.Rejection!, group);
                }
                else if (Submit(s.Parsed, group) is { IsRejected: true } rejected)
                {
                    Reject(s.Body, s.Headers, new SubmissionRejection(s.Parsed.Id, rejected.Reason!), group);
                }

                break;

            case HttpSubmission h:
                var verdict = Submit(h.Parsed, group);
                if (verdict.IsRejected)
                {
                    group.RejectionEvents.Add(new TaskRejected(h.Parsed.Id, verdict.Reason!, _time.GetUtcNow()));
                }

                group.HttpReplies.Add((h.Reply, verdict));
                break;

            case HttpGraphSubmission g:
                var httpGraphVerdict = SubmitGraph(g.Tasks, group);
                if (httpGraphVerdict.IsRejected)
                {
                    var reason = BoundedText.Truncate(httpGraphVerdict.Reason!, Limits.MaxReasonChars);
                    group.RejectionEvents.AddRange(AnnouncedIds(g.Tasks).Select(id => new TaskRejected(id, reason, _time.GetUtcNow())));
                }

                group.HttpReplies.Add((g.Reply, httpGraphVerdict));
                break;

            case BrokerCancel c:
                group.CancelTag = Math.Max(group.CancelTag, c.DeliveryTag);
                if (c.Request is null)
                {
                    Reject(c.Body, c.Headers, c.Rejection!, group);
                }
                else if (Cancel(c.Request.TaskId, c.Request.Reason) is var cancelled && cancelled is CancelOutcome.NotFound or CancelOutcome.AlreadyFinished)
                {
                    var why = cancelled == CancelOutcome.NotFound
                        ? $"no task {c.Request.TaskId} to cancel: it is unknown or expired"
                        : $"task {c.Request.TaskId} has already finished ({Lookup(c.Request.TaskId)?.State}); it cannot be cancelled";
                    Reject(c.Body, c.Headers, new SubmissionRejection(null, why), group);
                }

                break;

            case TaskActionRequest action:
                group.Written |= _actions.Apply(action, Lookup, _core.Effects.Changed.ContainsKey, out var verdicts);
                group.ActionReplies.Add((action.Reply, verdicts));
                break;
            case HttpCancel hc:
                group.CancelReplies.Add((hc.Reply, Cancel(hc.TaskId, hc.Reason)));
                break;

            case WorkerMessage w:
                group.EventsTag = Math.Max(group.EventsTag, w.DeliveryTag);
                if (w.Message is TasksFinished batch)
                {
                    // Each result of a batch is judged on its own, as if it had come alone.
                    foreach (var result in batch.Results)
                    {
                        ApplyWorkerMessageSafely(result);
                    }
                }
                else
                {
                    ApplyWorkerMessageSafely(w.Message);
                }

                break;

            case UnreadableWorkerMessage u:
                group.EventsTag = Math.Max(group.EventsTag, u.DeliveryTag);
                _core.Counters.IgnoredWorkerMessages++;
                _logger.LogWarning("Ignored an unreadable worker message: {Reason}", u.Reason);
                break;

            case AssignmentReturned r:
                _core.AssignmentUndeliverable(r.Assignment);
                break;

            case BrokerConnectionChanged { Connected: false }:
                _logger.LogWarning("Lost the broker connection; liveness checks wait until it is back");
                _core.BrokerDisconnected();
                break;

            case BrokerConnectionChanged { Connected: true }:
                _logger.LogInformation("Broker connection recovered; workers get a fresh liveness window");
                _core.BrokerReconnected();
                break;

            case BrokerBlocked { Blocked: true } b:
                // An alarm blocks every publisher, workers' heartbeats too: their silence is the broker's.
                _logger.LogWarning("The broker blocks publishing ({Reason}); liveness checks wait until it unblocks", b.Reason);
                _core.BrokerDisconnected();
                break;

            case BrokerBlocked { Blocked: false }:
                _logger.LogInformation("The broker unblocked publishing; workers get a fresh liveness window");
                _core.BrokerReconnected();
                break;

            default:
                throw new InvalidOperationException($"Unknown scheduler input {input.GetType().Name}");
        }
    }

    private void ApplyWorkerMessageSafely(object message)
    {
        try
        {
            ApplyWorkerMessage(message);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            // The core checks before it changes anything; a message it cannot place is dropped, not retried
            // forever by redelivery after a crash.
            _core.Counters.IgnoredWorkerMessages++;
            _logger.LogError(e, "Ignored a worker message the scheduler could not apply: {Message}", message);
        }
    }

    private void ApplyWorkerMessage(object message)
    {
        switch (message)
        {
            case WorkerHeartbeat beat:
                _core.Heartbeat(beat);
                break;
            case TaskPreempted preempted:
                if (!_core.Preempted(preempted))
                {
                    _logger.LogDebug(
                        "Fenced off a preemption report for task {TaskId} attempt {Attempt} from worker {WorkerId}",
                        preempted.TaskId, preempted.Attempt, preempted.WorkerId);
                }

                break;
            case TaskCheckpointed checkpointed:
                if (!_core.Checkpointed(checkpointed))
                {
                    _logger.LogDebug(
                        "Fenced off a checkpoint for task {TaskId} attempt {Attempt} from worker {WorkerId}",
                        checkpointed.TaskId, checkpointed.Attempt, checkpointed.WorkerId);
                }

                break;
            case TaskFinished result:
                Finish(result);
                break;
            case WorkerJoined joined:
                _logger.LogInformation("Worker {WorkerId} joined with capacity {Capacity}", joined.WorkerId, joined.Capacity);
                _core.WorkerJoined(joined);
                break;
            case WorkerLeft left:
                _logger.LogInformation("Worker {WorkerId} left, handing back {Count} tasks", left.WorkerId, left.HandedBack.Count);
                _core.WorkerLeft(left);
                break;
        }
    }

    private void Finish(TaskFinished result)
    {
        if (_core.Finish(result))
        {
            _demand.RecordRun(WorkerReports.RunTime(result));
        }
        else
        {
            _logger.LogDebug(
                "Fenced off a result for task {TaskId} attempt {Attempt} from worker {WorkerId}",
                result.TaskId, result.Attempt, result.WorkerId);
        }
    }

    private SubmitVerdict Submit(ParsedSubmission parsed, Group group)
    {
        // The hot path carries no options: a task with any (a timeout too) goes the graph's way, which keeps them.
        if (parsed.DependsOn.Count > 0 || parsed.MaxRetries > 0 || parsed.Timeout is not null)
        {
            return SubmitGraph([parsed], group);
        }

        var journaled = _core.FindActive(parsed.Id) is null ? Lookup(parsed.Id) : null;
        var outcome = _core.Submit(parsed.Id, parsed.Priority, parsed.ContentHash, parsed.PayloadBytes, journaled);
        if (outcome == SubmitOutcome.Accepted)
        {
            group.Payloads[parsed.Id] = parsed.Payload;
        }

        return outcome == SubmitOutcome.Conflict ? new SubmitVerdict(outcome, SubmitVerdict.ConflictReason) : new SubmitVerdict(outcome);
    }

    /// <summary>
    /// Submits tasks that may depend on each other and on earlier tasks. The core decides; the engine looks up, for
    /// it, what the journal knows of every id the graph names that the core does not hold.
    /// </summary>
    private SubmitVerdict SubmitGraph(IReadOnlyList<ParsedSubmission> tasks, Group group)
    {
        var journaled = new Dictionary<Guid, TaskSnapshot>();
        if (tasks.Count > _core.MaxGraphTasks)
        {
            // Refused for its size alone: not worth one journal read.
            return _core.Submit(tasks, journaled);
        }

        // What the core does not hold: as this group left it, else as committed, read in one query.
        var inGraph = new HashSet<Guid>(tasks.Select(t => t.Id));
        var unknown = new HashSet<Guid>();
        foreach (var id in tasks.Select(t => t.Id).Concat(tasks.SelectMany(t => t.DependsOn).Where(d => !inGraph.Contains(d))))
        {
            if (_core.FindActive(id) is null && unknown.Add(id) && _core.Effects.Changed.TryGetValue(id, out var changed))
            {
                journaled[id] = changed;
                unknown.Remove(id);
            }
        }

        foreach (var snapshot in _journal.FindMany(unknown))
        {
            journaled[snapshot.Id] = snapshot;
        }

        var fresh = tasks.Where(t => _core.FindActive(t.Id) is null && !journaled.ContainsKey(t.Id)).ToList();
        var verdict = _core.Submit(tasks, journaled);
        if (verdict.Outcome == SubmitOutcome.Accepted)
        {
            foreach (var task in fresh)
            {
                group.Payloads[task.Id] = task.Payload;
            }
        }

        return verdict;
    }

    private CancelOutcome Cancel(Guid taskId, string? reason)
    {
        var text = reason is null ? "cancelled on request" : $"cancelled on request: {reason}";
        var outcome = _core.Cancel(taskId, text, _core.FindActive(taskId) is null ? Lookup(taskId) : null);
        _logger.LogInformation("Cancel request for task {TaskId}: {Outcome}", taskId, outcome);
        return outcome;
    }

    /// <summary>
    /// A task the core does not hold: as this group left it (finished in it, not yet committed), else as committed.
    /// </summary>
    private TaskSnapshot? Lookup(Guid id) =>
        _core.Effects.Changed.TryGetValue(id, out var changed) ? changed : _journal.Find(id);

    /// <summary>
    /// The ids of a refused graph that each get a <c>task.{id}.rejected</c> event: all of them, unless the graph was
    /// refused for being larger than any graph may be (then none: one event per task would be the flood it guards against).
    /// </summary>
    private IEnumerable<Guid> AnnouncedIds(IReadOnlyList<ParsedSubmission> graph) =>
        graph.Count > _core.MaxGraphTasks ? [] : graph.Select(t => t.Id);

    private void Reject(ReadOnlyMemory<byte> body, IDictionary<string, object?>? headers, SubmissionRejection rejection, Group group, IEnumerable<Guid>? ids = null)
    {
        rejection = rejection with { Reason = BoundedText.Truncate(rejection.Reason, Limits.MaxReasonChars) };
        group.Rejected.Add(new RejectedInput(body, headers, rejection.Reason));
        foreach (var id in ids ?? (rejection.Id is { } one ? [one] : []))
        {
            group.RejectionEvents.Add(new TaskRejected(id, rejection.Reason, _time.GetUtcNow()));
        }

        _logger.LogInformation("Rejected a message{Id}: {Reason}", rejection.Id is { } i ? $" about task {i}" : "", rejection.Reason);
    }

    private string PayloadOf(Guid taskId, Group group)
    {
        if (group.Payloads.TryGetValue(taskId, out var payload) || _payloads.TryTake(taskId, out payload))
        {
            return payload;
        }

        return _journal.FindPayload(taskId, _core.FindActive(taskId)?.Sequence ?? 0)
            ?? throw new InvalidOperationException($"The journal has no payload for task {taskId}.");
    }

    private async Task SendOrdersAsync(
        List<(Assignment, string)> assignments, List<TaskStateChanged> events, List<WorkerCancel> cancels, List<WorkerPreempt> preempts,
        CancellationToken ct)
    {
        try
        {
            var returned = await _transport.PublishOrdersAsync(assignments, events, cancels, preempts, ct);
            lock (_returned)
            {
                _returned.AddRange(returned);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Committed state stands: unconfirmed assignments are requeued by reconciliation.
            _logger.LogError(e, "Publishing the orders of a committed group failed");
        }
    }

    private async Task<bool> StoreRejectionsAsync(Group group, CancellationToken ct)
    {
        if (group.Rejected.Count == 0 && group.RejectionEvents.Count == 0)
        {
            return true;
        }

        try
        {
            await _transport.PublishRejectionsAsync(group.Rejected, group.RejectionEvents, ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unacknowledged, the rejected submissions come back once the broker is reachable, and are judged again.
            _logger.LogError(e, "Storing rejected submissions failed; they will be redelivered");
            return false;
        }
    }

    private async Task DeleteQueuesAsync(string workerId, CancellationToken ct)
    {
        try
        {
            await _transport.DeleteWorkerQueuesAsync(workerId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not delete the queues of worker {WorkerId}", workerId);
        }
    }

    private async Task AcknowledgeAsync(Group group, CancellationToken ct)
    {
        try
        {
            await _transport.AckSubmissionsAsync(group.SubmitTag, ct);
            await _transport.AckWorkerEventsAsync(group.EventsTag, ct);
            await _transport.AckCancelsAsync(group.CancelTag, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Acknowledging a committed group failed; the broker will redeliver it");
        }
    }

    private sealed class Group
    {
        public Dictionary<Guid, string> Payloads { get; } = [];

        public List<RejectedInput> Rejected { get; } = [];

        public List<TaskRejected> RejectionEvents { get; } = [];

        public List<(TaskCompletionSource<SubmitVerdict> Reply, SubmitVerdict Verdict)> HttpReplies { get; } = [];

        public List<(TaskCompletionSource<CancelOutcome> Reply, CancelOutcome Outcome)> CancelReplies { get; } = [];

        public List<(TaskCompletionSource<IReadOnlyList<TaskActionVerdict>> Reply, IReadOnlyList<TaskActionVerdict> Verdicts)> ActionReplies { get; } = [];

        public ulong SubmitTag { get; set; }

        public ulong EventsTag { get; set; }

        public ulong CancelTag { get; set; }

        /// <summary>True once the group's changes are in the journal: delivery must make them durable first.</summary>
        public bool Written { get; set; }

        public List<(Assignment, string)> Assignments { get; set; } = [];

        public List<TaskStateChanged> Events { get; set; } = [];

        public List<WorkerCancel> Cancels { get; set; } = [];

        public List<WorkerPreempt> Preempts { get; set; } = [];

        public List<string> RemovedWorkers { get; set; } = [];
    }
}
