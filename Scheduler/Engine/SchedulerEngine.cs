using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Journal;
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
    private const string ConflictReason = "id already belongs to a task with other content";

    /// <summary>
    /// Groups written and waiting for delivery. One: the next group is written while the previous one is made durable,
    /// and meanwhile inputs gather, so groups grow with load (a journal transaction has a high fixed cost).
    /// </summary>
    private const int GroupsInDelivery = 1;

    private readonly SchedulerCore _core;
    private readonly TaskJournal _journal;
    private readonly SchedulerTransport _transport;
    private readonly SchedulerState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<SchedulerEngine> _logger;
    private readonly List<Assignment> _returned = [];
    private readonly PayloadCache _payloads;
    private readonly Channel<Group> _delivery = Channel.CreateBounded<Group>(
        new BoundedChannelOptions(GroupsInDelivery) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private Task _ordersInFlight = Task.CompletedTask;

    public SchedulerEngine(
        SchedulerCore core,
        TaskJournal journal,
        SchedulerTransport transport,
        SchedulerState state,
        TimeProvider time,
        ILogger<SchedulerEngine> logger,
        PayloadCache payloads)
    {
        _payloads = payloads;
        _core = core;
        _journal = journal;
        _transport = transport;
        _state = state;
        _time = time;
        _logger = logger;
    }

    /// <summary>Rebuilds the core from the journal. Workers holding tasks get one liveness window to report in.</summary>
    public void Restore()
    {
        var unfinished = _journal.LoadUnfinished().ToList();
        _core.Restore(unfinished, _journal.LastSequence());
        _logger.LogInformation(
            "Journal restored: {Pending} pending and {Running} running tasks, {Workers} workers awaited",
            _core.PendingCount, unfinished.Count - _core.PendingCount, _core.Workers.Count);
        _state.Publish(_core.View());
    }

    /// <summary>Processes one group. Returns true when follow-up work is already known (returned assignments).</summary>
    public async Task<bool> RunAsync(IReadOnlyList<SchedulerInput> inputs, bool checkLiveness, CancellationToken ct)
    {
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
            _core.CheckLiveness();
        }

        _core.Dispatch();

        var effects = _core.Effects;
        if (effects.Changed.Count > 0 || group.Payloads.Count > 0)
        {
            _journal.Write(effects.Changed.Values, group.Payloads);
            group.Written = true;
            _state.RecordCommit(_journal.LastCommitDuration, inputs.Count);
        }

        group.Assignments = [.. effects.Assignments.Select(a => (a, PayloadOf(a.TaskId, group)))];
        KeepPayloadsOfWaitingTasks(group, effects);
        group.Events = [.. effects.Events];
        group.Cancels = [.. effects.Cancels];
        group.RemovedWorkers = [.. effects.RemovedWorkers];
        effects.Clear();

        await _delivery.Writer.WriteAsync(group, ct);
        _state.Publish(_core.View());
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
        foreach (var (reply, outcome) in group.HttpReplies)
        {
            reply.TrySetResult(outcome);
        }

        // Orders and notices of this group go out while the next group is made durable: one group's orders in
        // flight at a time keeps memory bounded. Nothing is acknowledged on their account; an assignment that is
        // never confirmed is caught by reconciliation, a lost notice changes no state.
        await _ordersInFlight;
        _ordersInFlight = SendOrdersAsync(group.Assignments, group.Events, group.Cancels, ct);

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
    /// New payloads of tasks still pending after dispatch go to the cache, so their dispatch needs no journal read;
    /// payloads of tasks that finished without being dispatched leave it.
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

    private void Apply(SchedulerInput input, Group group)
    {
        switch (input)
        {
            case BrokerSubmission s:
                group.SubmitTag = Math.Max(group.SubmitTag, s.DeliveryTag);
                if (s.Parsed is null)
                {
                    _core.CountRejected();
                    Reject(s, s.Rejection!, group);
                }
                else if (Submit(s.Parsed, group) == SubmitOutcome.Conflict)
                {
                    Reject(s, new SubmissionRejection(s.Parsed.Id, ConflictReason), group);
                }

                break;

            case HttpSubmission h:
                var outcome = Submit(h.Parsed, group);
                if (outcome == SubmitOutcome.Conflict)
                {
                    group.RejectionEvents.Add(new TaskRejected(h.Parsed.Id, ConflictReason, _time.GetUtcNow()));
                }

                group.HttpReplies.Add((h.Reply, outcome));
                break;

            case WorkerMessage w:
                group.EventsTag = Math.Max(group.EventsTag, w.DeliveryTag);
                try
                {
                    ApplyWorkerMessage(w.Message);
                }
                catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
                {
                    // The core checks before it changes anything; a message it cannot place is dropped, not retried
                    // forever by redelivery after a crash.
                    _core.Counters.IgnoredWorkerMessages++;
                    _logger.LogError(e, "Ignored a worker message the scheduler could not apply: {Message}", w.Message);
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

            default:
                throw new InvalidOperationException($"Unknown scheduler input {input.GetType().Name}");
        }
    }

    private void ApplyWorkerMessage(object message)
    {
        switch (message)
        {
            case WorkerHeartbeat beat:
                _core.Heartbeat(beat);
                break;
            case TaskFinished result:
                if (!_core.Finish(result))
                {
                    _logger.LogDebug(
                        "Fenced off a result for task {TaskId} attempt {Attempt} from worker {WorkerId}",
                        result.TaskId, result.Attempt, result.WorkerId);
                }

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

    private SubmitOutcome Submit(ParsedSubmission parsed, Group group)
    {
        var journaled = _core.FindActive(parsed.Id) is null ? _journal.Find(parsed.Id) : null;
        var outcome = _core.Submit(parsed.Id, parsed.Priority, parsed.ContentHash, parsed.PayloadBytes, journaled);
        if (outcome == SubmitOutcome.Accepted)
        {
            group.Payloads[parsed.Id] = parsed.Payload;
        }

        return outcome;
    }

    private void Reject(BrokerSubmission submission, SubmissionRejection rejection, Group group)
    {
        group.Rejected.Add(submission with { Rejection = rejection });
        if (rejection.Id is { } id)
        {
            group.RejectionEvents.Add(new TaskRejected(id, rejection.Reason, _time.GetUtcNow()));
        }

        _logger.LogInformation("Rejected a submission{Id}: {Reason}", rejection.Id is { } i ? $" of task {i}" : "", rejection.Reason);
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
        List<(Assignment, string)> assignments, List<TaskStateChanged> events, List<WorkerCancel> cancels, CancellationToken ct)
    {
        try
        {
            var returned = await _transport.PublishOrdersAsync(assignments, events, cancels, ct);
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
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Acknowledging a committed group failed; the broker will redeliver it");
        }
    }

    private sealed class Group
    {
        public Dictionary<Guid, string> Payloads { get; } = [];

        public List<BrokerSubmission> Rejected { get; } = [];

        public List<TaskRejected> RejectionEvents { get; } = [];

        public List<(TaskCompletionSource<SubmitOutcome> Reply, SubmitOutcome Outcome)> HttpReplies { get; } = [];

        public ulong SubmitTag { get; set; }

        public ulong EventsTag { get; set; }

        /// <summary>True once the group's changes are in the journal: delivery must make them durable first.</summary>
        public bool Written { get; set; }

        public List<(Assignment, string)> Assignments { get; set; } = [];

        public List<TaskStateChanged> Events { get; set; } = [];

        public List<WorkerCancel> Cancels { get; set; } = [];

        public List<string> RemovedWorkers { get; set; } = [];
    }
}
