using Microsoft.Extensions.Logging;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Runs one group: applies its inputs to the core, commits what changed to the journal in one durable
/// transaction, and only then sends what the group decided and acknowledges the broker messages it consumed.
/// A crash anywhere before the acknowledgements loses nothing: the broker redelivers, and redelivered input is
/// harmless (a duplicate submission is a no-op, a stale result is fenced).
/// </summary>
public sealed class SchedulerEngine
{
    private const string ConflictReason = "id already belongs to a task with other content";

    private readonly SchedulerCore _core;
    private readonly TaskJournal _journal;
    private readonly SchedulerTransport _transport;
    private readonly SchedulerState _state;
    private readonly WorkerDemandEstimator _demand;
    private readonly TimeProvider _time;
    private readonly SchedulerTelemetry _telemetry;
    private readonly ILogger<SchedulerEngine> _logger;
    private readonly List<Assignment> _returned = [];
    private Task _ordersInFlight = Task.CompletedTask;

    public SchedulerEngine(
        SchedulerCore core,
        TaskJournal journal,
        SchedulerTransport transport,
        SchedulerState state,
        WorkerDemandEstimator demand,
        TimeProvider time,
        SchedulerTelemetry telemetry,
        ILogger<SchedulerEngine> logger)
    {
        _demand = demand;
        _core = core;
        _journal = journal;
        _transport = transport;
        _state = state;
        _time = time;
        _telemetry = telemetry;
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
        PublishView();
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
        TimeSpan? commit = null;
        if (effects.Changed.Count > 0 || group.Payloads.Count > 0)
        {
            _journal.Commit(effects.Changed.Values, group.Payloads);
            commit = _journal.LastCommitDuration;
            _state.RecordCommit(commit.Value, inputs.Count);
        }

        _telemetry.GroupCommitted(inputs, effects, commit);

        var assignments = effects.Assignments.Select(a => (a, PayloadOf(a.TaskId, group))).ToList();
        var events = effects.Events.ToList();
        var cancels = effects.Cancels.ToList();
        var removed = effects.RemovedWorkers.ToList();
        effects.Clear();

        foreach (var (reply, outcome) in group.HttpReplies)
        {
            reply.TrySetResult(outcome);
        }

        // Orders and notices of this group go out while the next group is gathered and committed: one group in
        // flight at a time keeps memory bounded. Nothing is acknowledged on their account; an assignment that is
        // never confirmed is caught by reconciliation, a lost notice changes no state.
        await _ordersInFlight;
        _ordersInFlight = SendOrdersAsync(assignments, events, cancels, ct);

        var rejectionsStored = await StoreRejectionsAsync(group, ct);
        foreach (var workerId in removed)
        {
            await DeleteQueuesAsync(workerId, ct);
        }

        if (rejectionsStored)
        {
            await AcknowledgeAsync(group, ct);
        }

        PublishView();
        lock (_returned)
        {
            return _returned.Count > 0;
        }
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
                if (_core.Finish(result))
                {
                    _demand.RecordRun(result.FinishedAt - result.StartedAt);
                }
                else
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
        if (group.Payloads.TryGetValue(taskId, out var payload))
        {
            return payload;
        }

        return _journal.FindPayload(taskId)
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
    }
}
