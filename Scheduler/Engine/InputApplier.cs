using Microsoft.Extensions.Logging;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// The first lifecycle of a turn: applies each input the loop took to the core, adds up what the core decided in
/// the turn, and notes what delivery must do for the input once the turn is durable (reply, store a refusal,
/// acknowledge up to its delivery tag). The journal is only read here, for tasks the core does not hold.
/// </summary>
internal sealed class InputApplier(
    SchedulerCore core, IJournal journal, WorkerDemandEstimator demand, TimeProvider time, ILogger logger)
{
    private readonly OnDemandLoad _onDemand = new(core, journal);
    private TaskActions? _actions;

    private TaskActions Actions => _actions ??= new TaskActions(core, journal, _onDemand, logger);
    private BatchSubmitter? _batches;

    private BatchSubmitter Batches => _batches ??= new BatchSubmitter(core, journal, this, time);

    public void Apply(SchedulerInput input, Turn turn)
    {
        switch (input)
        {
            case BrokerSubmission { Graph: { } graph } s:
                turn.SubmitTag = Math.Max(turn.SubmitTag, s.DeliveryTag);
                var graphVerdict = SubmitGraph(graph, turn);
                if (graphVerdict.IsRejected)
                {
                    Reject(s.Body, s.Headers, new InputRejection(null, graphVerdict.Reason!), turn, AnnouncedIds(graph));
                }

                break;

            case BrokerSubmission s:
                turn.SubmitTag = Math.Max(turn.SubmitTag, s.DeliveryTag);
                if (s.Parsed is null)
                {
                    core.CountRejected();
                    Reject(s.Body, s.Headers, s.Rejection!, turn);
                }
                else if (Submit(s.Parsed, turn) is { IsRejected: true } rejected)
                {
                    Reject(s.Body, s.Headers, new InputRejection(s.Parsed.Id, rejected.Reason!), turn);
                }

                break;

            case HttpSubmission h:
                var verdict = Submit(h.Parsed, turn);
                if (verdict.IsRejected)
                {
                    turn.RejectionEvents.Add(new TaskRejected(h.Parsed.Id, verdict.Reason!, time.GetUtcNow()));
                }

                turn.HttpReplies.Add((h.Reply, verdict));
                break;

            case RefusedHttpSubmission:
                core.CountRejected();
                break;

            case HttpGraphSubmission g:
                var httpGraphVerdict = SubmitGraph(g.Tasks, turn);
                if (httpGraphVerdict.IsRejected)
                {
                    var reason = BoundedText.Truncate(httpGraphVerdict.Reason!, Limits.MaxReasonChars);
                    turn.RejectionEvents.AddRange(AnnouncedIds(g.Tasks).Select(id => new TaskRejected(id, reason, time.GetUtcNow())));
                }

                turn.HttpReplies.Add((g.Reply, httpGraphVerdict));
                break;

            case BrokerBatchSubmission b:
                turn.SubmitTag = Math.Max(turn.SubmitTag, b.DeliveryTag);
                var brokerAnswer = Batches.Apply(b.Entries, b.Rejection, turn, (b.Body, b.Headers));
                if (b.Reply is not null)
                {
                    turn.BatchReplies.Add((b.Reply, brokerAnswer));
                }

                break;

            case HttpBatchSubmission hb:
                turn.BatchReplies.Add((hb.Reply, Batches.Apply(hb.Entries, null, turn, null)));
                break;

            case BrokerCancel c:
                turn.CancelTag = Math.Max(turn.CancelTag, c.DeliveryTag);
                if (c.Request is null)
                {
                    Reject(c.Body, c.Headers, c.Rejection!, turn);
                }
                else if (Cancel(c.Request.TaskId, c.Request.Reason, turn) is var cancelled && cancelled is CancelOutcome.NotFound or CancelOutcome.AlreadyFinished)
                {
                    var why = cancelled == CancelOutcome.NotFound
                        ? $"no task {c.Request.TaskId} to cancel: it is unknown or expired"
                        : $"task {c.Request.TaskId} has already finished ({Lookup(c.Request.TaskId, turn)?.State}); it cannot be cancelled";
                    Reject(c.Body, c.Headers, new InputRejection(null, why), turn);
                }

                break;

            case TaskActionRequest action:
                turn.Written |= Actions.Apply(action, turn, out var verdicts);
                turn.ActionReplies.Add((action.Reply, verdicts));
                break;

            case HttpCancel hc:
                turn.CancelReplies.Add((hc.Reply, Cancel(hc.TaskId, hc.Reason, turn)));
                break;

            case WorkerMessage w:
                turn.EventsTag = Math.Max(turn.EventsTag, w.DeliveryTag);
                if (w.Message is TasksFinished batch)
                {
                    // Each result of a batch is judged on its own, as if it had come alone.
                    foreach (var result in batch.Results)
                    {
                        ApplyWorkerMessageSafely(result, turn);
                    }
                }
                else
                {
                    ApplyWorkerMessageSafely(w.Message, turn);
                }

                break;

            case UnreadableWorkerMessage u:
                turn.EventsTag = Math.Max(turn.EventsTag, u.DeliveryTag);
                core.Counters.IgnoredWorkerMessages++;
                logger.LogWarning("Ignored an unreadable worker message: {Reason}", u.Reason);
                break;

            case BrokerConnectionChanged { Connected: false }:
                logger.LogWarning("Lost the broker connection; liveness checks wait until it is back");
                core.BrokerDisconnected();
                break;

            case BrokerConnectionChanged { Connected: true }:
                logger.LogInformation("Broker connection recovered; workers get a fresh liveness window");
                core.BrokerReconnected();
                break;

            case BrokerBlocked { Blocked: true } b:
                // An alarm blocks every publisher, workers' heartbeats too: their silence is the broker's.
                logger.LogWarning("The broker blocks publishing ({Reason}); liveness checks wait until it unblocks", b.Reason);
                core.BrokerDisconnected();
                break;

            case BrokerBlocked { Blocked: false }:
                logger.LogInformation("The broker unblocked publishing; workers get a fresh liveness window");
                core.BrokerReconnected();
                break;

            default:
                throw new InvalidOperationException($"Unknown scheduler input {input.GetType().Name}");
        }
    }

    private void ApplyWorkerMessageSafely(IWorkerEvent message, Turn turn)
    {
        try
        {
            ApplyWorkerMessage(message, turn.Effects);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            // The core checks before it changes anything; a message it cannot place is dropped, not retried
            // forever by redelivery after a crash.
            core.Counters.IgnoredWorkerMessages++;
            logger.LogError(e, "Ignored a worker message the scheduler could not apply: {Message}", message);
        }
    }

    private void ApplyWorkerMessage(IWorkerEvent message, CoreEffects effects)
    {
        switch (message)
        {
            case WorkerHeartbeat beat:
                effects.Add(core.Heartbeat(beat));
                break;
            case TaskPreempted preempted:
                Counted(core.Preempted(preempted), effects, "preemption report", preempted.TaskId, preempted.Attempt, preempted.WorkerId);
                break;
            case TaskCheckpointed checkpointed:
                Counted(core.Checkpointed(checkpointed), effects, "checkpoint", checkpointed.TaskId, checkpointed.Attempt, checkpointed.WorkerId);
                break;
            case TaskFinished result:
                Finish(result, effects);
                break;
            case WorkerJoined joined:
                logger.LogInformation("Worker {WorkerId} joined with capacity {Capacity}", joined.WorkerId, joined.Capacity);
                effects.Add(core.WorkerJoined(joined));
                break;
            case WorkerLeft left:
                logger.LogInformation("Worker {WorkerId} left, handing back {Count} tasks", left.WorkerId, left.HandedBack.Count);
                effects.Add(core.WorkerLeft(left));
                break;
            default:
                // A results batch is applied result by result above; nothing else comes from a worker.
                throw new InvalidOperationException($"A worker event of kind {message.GetType().Name} is not applied one by one");
        }
    }

    private void Finish(TaskFinished result, CoreEffects effects)
    {
        if (Counted(core.Finish(result), effects, "result", result.TaskId, result.Attempt, result.WorkerId))
        {
            demand.RecordRun(WorkerReports.RunTime(result));
        }
    }

    /// <summary>Adds what the core decided on a worker's report; false (and a debug line) when it was fenced off.</summary>
    private bool Counted(CoreResult<bool> applied, CoreEffects effects, string report, Guid taskId, int attempt, string workerId)
    {
        effects.Add(applied.Effects);
        if (!applied.Value)
        {
            logger.LogDebug("Fenced off a {Report} for task {TaskId} attempt {Attempt} from worker {WorkerId}", report, taskId, attempt, workerId);
        }

        return applied.Value;
    }

    /// <summary>
    /// Submits one task (the schedules' occurrences and a batch's tasks come this way too). <paramref name="looked"/>
    /// holds what the journal answered for ids already looked up (null: not there), so a batch reads it once.
    /// </summary>
    public SubmitVerdict Submit(ParsedSubmission parsed, Turn turn, IReadOnlyDictionary<Guid, TaskSnapshot?>? looked = null)
    {
        // A task that depends on others is a graph of its own: its dependencies are looked up and checked.
        if (parsed.DependsOn.Count > 0)
        {
            return SubmitGraph([parsed], turn, looked);
        }

        var journaled = core.FindActive(parsed.Id) is not null ? null
            : looked is not null && !turn.Effects.Changed.ContainsKey(parsed.Id) && looked.TryGetValue(parsed.Id, out var known) ? known
            : Lookup(parsed.Id, turn);
        var (verdict, effects) = core.Submit(parsed, journaled);
        turn.Effects.Add(effects);
        if (verdict.Outcome == SubmitOutcome.Accepted)
        {
            turn.Payloads[parsed.Id] = parsed.Payload;
        }

        return verdict;
    }

    /// <summary>
    /// Submits tasks that may depend on each other and on earlier tasks. The core decides; the engine looks up, for
    /// it, what the journal knows of every id the graph names that the core does not hold.
    /// </summary>
    private SubmitVerdict SubmitGraph(IReadOnlyList<ParsedSubmission> tasks, Turn turn, IReadOnlyDictionary<Guid, TaskSnapshot?>? looked = null)
    {
        var journaled = new Dictionary<Guid, TaskSnapshot>();
        if (tasks.Count > core.MaxGraphTasks)
        {
            // Refused for its size alone: not worth one journal read.
            var refused = core.Submit(tasks, journaled);
            turn.Effects.Add(refused.Effects);
            return refused.Value;
        }

        _onDemand.Load(tasks.SelectMany(t => t.DependsOn), turn);

        // What the core does not hold: as this turn left it, else as committed, from the journal (FindMany).
        var inGraph = new HashSet<Guid>(tasks.Select(t => t.Id));
        var unknown = new HashSet<Guid>();
        foreach (var id in tasks.Select(t => t.Id).Concat(tasks.SelectMany(t => t.DependsOn).Where(d => !inGraph.Contains(d))))
        {
            if (core.FindActive(id) is null && unknown.Add(id) && turn.Effects.Changed.TryGetValue(id, out var changed))
            {
                journaled[id] = changed;
                unknown.Remove(id);
            }
            else if (looked is not null && looked.TryGetValue(id, out var known) && unknown.Remove(id) && known is not null)
            {
                journaled[id] = known;
            }
        }

        foreach (var snapshot in journal.FindMany(unknown))
        {
            journaled[snapshot.Id] = snapshot;
        }

        var fresh = tasks.Where(t => core.FindActive(t.Id) is null && !journaled.ContainsKey(t.Id)).ToList();
        var (verdict, effects) = core.Submit(tasks, journaled);
        turn.Effects.Add(effects);
        if (verdict.Outcome == SubmitOutcome.Accepted)
        {
            foreach (var task in fresh)
            {
                turn.Payloads[task.Id] = task.Payload;
            }
        }

        return verdict;
    }

    private CancelOutcome Cancel(Guid taskId, string? reason, Turn turn)
    {
        var text = reason is null ? "cancelled on request" : $"cancelled on request: {reason}";
        _onDemand.Load([taskId], turn);
        var (outcome, effects) = core.Cancel(taskId, text, core.FindActive(taskId) is null ? Lookup(taskId, turn) : null);
        turn.Effects.Add(effects);
        logger.LogInformation("Cancel request for task {TaskId}: {Outcome}", taskId, outcome);
        return outcome;
    }

    /// <summary>
    /// A task the core does not hold: as this turn left it (finished in it, not yet committed), else as committed.
    /// </summary>
    private TaskSnapshot? Lookup(Guid id, Turn turn) =>
        turn.Effects.Changed.TryGetValue(id, out var changed) ? changed : journal.Find(id);

    /// <summary>
    /// The ids of a refused graph that each get a <c>task.{id}.rejected</c> event: all of them, unless the graph was
    /// refused for being larger than any graph may be (then none: one event per task would be the flood it guards against).
    /// </summary>
    private IEnumerable<Guid> AnnouncedIds(IReadOnlyList<ParsedSubmission> graph) =>
        graph.Count > core.MaxGraphTasks ? [] : graph.Select(t => t.Id);

    public void Reject(ReadOnlyMemory<byte> body, IDictionary<string, object?>? headers, InputRejection rejection, Turn turn, IEnumerable<Guid>? ids = null)
    {
        rejection = rejection with { Reason = BoundedText.Truncate(rejection.Reason, Limits.MaxReasonChars) };
        turn.Rejected.Add(new RejectedInput(body, headers, rejection.Reason));
        foreach (var id in ids ?? (rejection.Id is { } one ? [one] : []))
        {
            turn.RejectionEvents.Add(new TaskRejected(id, rejection.Reason, time.GetUtcNow()));
        }

        logger.LogInformation("Rejected a message{Id}: {Reason}", rejection.Id is { } i ? $" about task {i}" : "", rejection.Reason);
    }
}
