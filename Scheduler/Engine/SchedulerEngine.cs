using Microsoft.Extensions.Logging;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Core.Schedules;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Runs one turn: applies its inputs to the core (<see cref="InputApplier"/>), writes what changed to the journal
/// in one transaction, and hands the turn to delivery (<see cref="TurnDelivery"/>), which makes it durable (fsync)
/// and only then sends what the turn decided and acknowledges the broker messages it consumed. While one turn is
/// being made durable and delivered the loop already gathers, applies and writes the next; turns are delivered
/// strictly in order. A crash anywhere before the acknowledgements loses nothing: the broker redelivers, and
/// redelivered input is harmless (a duplicate submission is a no-op, a stale result is fenced). The journal and the
/// broker are behind <see cref="IJournal"/> and <see cref="ITurnPublisher"/>, so unit tests run the engine on fakes.
/// </summary>
public sealed class SchedulerEngine
{
    private readonly SchedulerCore _core;
    private readonly IJournal _journal;
    private readonly ITurnPublisher _publisher;
    private readonly PublishedView _state;
    private readonly WorkerDemandEstimator _demand;
    private readonly TimeProvider _time;
    private readonly SchedulerTelemetry _telemetry;
    private readonly ILogger<SchedulerEngine> _logger;
    private readonly PayloadCache _payloads;
    private readonly RetentionPolicy _retention;
    private readonly ExpirySchedule _expiry = new();
    private readonly InputApplier _applier;
    private readonly TurnDelivery _delivery;
    private readonly JournalOutage? _outage;
    private readonly ScheduleRunner _schedules;
    private PendingEntry? _restoredUpTo;
    private Task<long>? _pendingCount;
    private long _restoreStarted;

    public SchedulerEngine(
        SchedulerCore core,
        IJournal journal,
        ITurnPublisher publisher,
        PublishedView state,
        WorkerDemandEstimator demand,
        TimeProvider time,
        SchedulerTelemetry telemetry,
        ILogger<SchedulerEngine> logger,
        PayloadCache payloads,
        RetentionPolicy retention,
        ScheduleRunner? schedules = null,
        JournalOutage? outage = null)
    {
        _outage = outage;
        _schedules = schedules ?? new ScheduleRunner(new ScheduleBook(), NoScheduleStore.Instance, Microsoft.Extensions.Logging.Abstractions.NullLogger<ScheduleRunner>.Instance);
        _payloads = payloads;
        _retention = retention;
        _demand = demand;
        _core = core;
        _journal = journal;
        _publisher = publisher;
        _state = state;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _applier = new InputApplier(core, journal, demand, time, logger);
        _delivery = new TurnDelivery(journal, publisher, state, logger);
    }

    /// <summary>
    /// Pending tasks read from the journal per turn while a restore is in progress (<c>Scheduler:RestoreChunk</c>).
    /// </summary>
    public int RestoreChunk { get; set; } = 5_000;

    private const int FirstRestoreChunk = 1_000;

    /// <summary>
    /// For each worker that reported an end (a result or a pause) in this turn and is assigned new work by it: when the
    /// earliest such report was read off the broker. Delivery records the time from there to the assignment's confirm
    /// as the slot's round trip (<see cref="SchedulerStages.SlotRoundTrip"/>).
    /// </summary>
    private static List<long> SlotsRefilled(IReadOnlyList<SchedulerInput> inputs, CoreEffects effects)
    {
        Dictionary<string, long>? freed = null;
        foreach (var input in inputs)
        {
            if (input is WorkerMessage { Message: TasksFinished or TaskFinished or TaskPreempted } message)
            {
                freed ??= [];
                var worker = message.Message.WorkerId;
                freed[worker] = freed.TryGetValue(worker, out var earlier) ? Math.Min(earlier, input.QueuedAt) : input.QueuedAt;
            }
        }

        if (freed is null)
        {
            return [];
        }

        return [.. effects.Assignments.Select(a => a.WorkerId).Distinct().Where(freed.ContainsKey).Select(w => freed[w])];
    }

    /// <summary>
    /// Starts the restore from the journal: the running tasks and the schedules, whole; the pending tasks follow in
    /// chunks, one before each turn (<see cref="RestoreSlice"/>), so dispatch starts with the head of the queue.
    /// Workers holding tasks get one liveness window to report in.
    /// </summary>
    public void Restore()
    {
        _restoreStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        _core.BeginRestore(_journal.LoadRunning(), _journal.LastSequence());
        _schedules.Restore();
        _logger.LogInformation(
            "Journal restore started: {Running} running tasks, {Workers} workers awaited; pending tasks follow, {Chunk} per turn",
            _core.RunningCount, _core.Workers.Count, RestoreChunk);
        PublishView();
    }

    /// <summary>
    /// One chunk of a restore in progress, before the turn's inputs: the journal has every earlier turn written, so
    /// it holds exactly what the core decided, and a task the core holds already is skipped as newer.
    /// </summary>
    private void RestoreSlice(Turn turn)
    {
        // The first chunk is small: the first dispatch waits for it alone.
        var first = _restoredUpTo is null;
        var size = first ? Math.Min(RestoreChunk, FirstRestoreChunk) : RestoreChunk;
        var chunk = _journal.LoadPending(_restoredUpTo, size);
        if (chunk.Count > 0)
        {
            _restoredUpTo = new PendingEntry(chunk[^1].Priority, chunk[^1].Sequence, chunk[^1].Id);
        }

        if (first)
        {
            _logger.LogInformation("The first {Count} pending tasks loaded {Seconds:0.00} s after the restore began",
                chunk.Count, System.Diagnostics.Stopwatch.GetElapsedTime(_restoreStarted).TotalSeconds);
            // Counted beside the loop (LiteDB reads on any thread), once the head is in: only the progress shown waits for it.
            _pendingCount = Task.Run(_journal.CountPending);
        }
        else if (_pendingCount is { IsCompletedSuccessfully: true } counted)
        {
            _core.CountedForRestore(counted.Result);
            _pendingCount = null;
        }

        turn.Effects.Add(_core.RestoreChunk(chunk, last: chunk.Count < size));
        if (!_core.IsRestoring)
        {
            _logger.LogInformation(
                "Journal restored in {Seconds:0.0} s: {Pending} pending and {Running} running tasks",
                System.Diagnostics.Stopwatch.GetElapsedTime(_restoreStarted).TotalSeconds, _core.ActiveCount - _core.RunningCount, _core.RunningCount);
        }
    }

    /// <summary>When the engine next has work of its own (a retry or a delayed task falls due, a schedule fires, expired tasks to delete).</summary>
    public DateTimeOffset? NextWakeAt => new[] { _core.NextWakeAt, _expiry.NextAt, _schedules.NextWakeAt }.Min();

    /// <summary>
    /// Processes one turn; <paramref name="drained"/> says the loop left no input waiting. Returns true when follow-up
    /// work is already known (returned assignments, a restore in progress).
    /// </summary>
    public async Task<bool> RunAsync(IReadOnlyList<SchedulerInput> inputs, bool checkLiveness, bool drained, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _core.Attend(drained);
        var turn = new Turn();
        if (_core.IsRestoring)
        {
            RestoreSlice(turn);
        }

        foreach (var returned in _delivery.TakeReturned())
        {
            turn.Effects.Add(_core.AssignmentUndeliverable(returned));
        }

        foreach (var input in inputs)
        {
            if (input is ScheduleRequest request)
            {
                turn.ScheduleReplies.Add((request.Reply, _schedules.Apply(request, _time.GetUtcNow())));
            }
            else
            {
                _applier.Apply(input, turn);
            }
        }

        if (checkLiveness)
        {
            _publisher.Probe();
            var liveness = _core.CheckLiveness();
            foreach (var dead in liveness.RemovedWorkers)
            {
                _logger.LogWarning("Worker {WorkerId} declared dead: no heartbeat for longer than the liveness window", dead);
            }

            turn.Effects.Add(liveness);
        }

        _schedules.Fire(_time.GetUtcNow(), task => _applier.Submit(task, turn));
        turn.Effects.Add(_core.Dispatch());

        var effects = turn.Effects;
        SchedulerStages.Since(SchedulerStages.Apply, started);
        var (commit, held) = await WriteAsync(turn, ct);
        if (commit is { } duration)
        {
            _state.RecordCommit(duration, inputs.Count);
            SchedulerStages.Took(SchedulerStages.Commit, duration);
        }

        if (_schedules.TakeWrite() is { } writeSchedules)
        {
            held |= await OutlastAsync(writeSchedules, ct);
            turn.Written = true;
        }

        if (await OutlastAsync(() => ExpireFinishedTasks(turn), ct) | held)
        {
            // A full disk held the turn back: what it decided goes out only now.
            _core.AssignmentsHeldUntil(_time.GetUtcNow());
        }
        _telemetry.TurnCommitted(inputs.Count, _telemetry.Tracing.Enabled ? ProducerTraces.Of(inputs) : null, effects, commit);
        var documents = _journal.Documents;
        _telemetry.DocumentsBehind(documents.Carried, documents.Inserted, documents.Updated);

        turn.Assignments = [.. effects.Assignments.Select(a => (a, PayloadOf(a.TaskId, turn)))];
        if (SchedulerStages.Enabled)
        {
            turn.SlotsRefilledSince = SlotsRefilled(inputs, effects);
        }
        KeepPayloadsOfWaitingTasks(turn, effects);

        turn.HandedOverAt = System.Diagnostics.Stopwatch.GetTimestamp();
        await _delivery.HandOverAsync(turn, ct);
        if (_journal.CheckpointIfDue() is { } checkpoint)
        {
            SchedulerStages.Took(SchedulerStages.Checkpoint, checkpoint);
        }

        PublishView();
        return _delivery.HasReturned || _core.IsRestoring;
    }

    /// <summary>
    /// Delivers written turns in order (<see cref="TurnDelivery"/>) until <see cref="CompleteDelivery"/> or
    /// cancelled. A failed fsync stops the scheduler (nothing is acknowledged that is not durable); the broker
    /// redelivers the rest.
    /// </summary>
    public Task DeliverAsync(CancellationToken ct) => _delivery.DeliverAsync(ct);

    /// <summary>The loop stops: no more turns come, and delivery returns once those written are delivered, in order.</summary>
    public void CompleteDelivery() => _delivery.Complete();

    /// <summary>
    /// Writes the turn's changes in one transaction; returns how long it took, or null when there was nothing to
    /// write, and whether a journal that could not write held the turn back (<see cref="JournalOutage"/>). A task
    /// too large to store fails and the turn is written again; any other failure is a failed commit.
    /// </summary>
    private async Task<(TimeSpan? Commit, bool Held)> WriteAsync(Turn turn, CancellationToken ct)
    {
        var effects = turn.Effects;
        if (effects.Changed.Count == 0 && turn.Payloads.Count == 0)
        {
            return (null, false);
        }

        var held = false;
        try
        {
            held = await OutlastAsync(() =>
            {
                try
                {
                    _journal.Write(effects.Changed.Values, turn.Payloads);
                }
                catch (Exception e) when (e is not OperationCanceledException && !JournalOutage.IsStorageFailure(e) && FailUnstorableTasks(effects, e))
                {
                    _journal.Write(effects.Changed.Values, turn.Payloads);
                }
            }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _delivery.CommitFailed(e);
        }

        turn.Written = true;
        return (_journal.LastCommitDuration, held);
    }

    /// <summary>Runs a journal write through <see cref="JournalOutage"/> (a full disk is waited out), or as it is without one.</summary>
    private async Task<bool> OutlastAsync(Action write, CancellationToken ct)
    {
        if (_outage is null)
        {
            write();
            return false;
        }

        return await _outage.WriteAsync(write, ct);
    }

    /// <summary>
    /// One slice of expiry when due (paced by what slices cost, <see cref="ExpirySchedule"/>), in a transaction of
    /// its own after the turn's: the turn's own changes are written first, so a task finished or resubmitted in it
    /// is judged as it now stands. The deletes become durable with the turn's fsync; lost in a crash, they are
    /// simply done again.
    /// </summary>
    private void ExpireFinishedTasks(Turn turn)
    {
        _expiry.Finished(turn.Effects.Changed.Values.Count(task => task.State.IsFinal()));
        var now = _time.GetUtcNow();
        if (!_expiry.IsDue(now))
        {
            return;
        }

        var started = _time.GetTimestamp();
        var slice = _journal.Expire(_retention, now, _expiry.SliceSize);
        _expiry.SliceDone(slice.Total, _time.GetElapsedTime(started), _time.GetUtcNow());
        if (slice.Total > 0)
        {
            turn.Written = true;
            _core.Counters.Expired += slice.Tasks;
            _logger.LogDebug("Expiry deleted {Tasks} finished tasks and {Payloads} payloads of completed ones", slice.Tasks, slice.Payloads);
        }
    }

    /// <summary>
    /// New payloads of tasks still pending after dispatch go to the cache, so their dispatch needs no journal read;
    /// payloads of tasks that finished (or were cancelled) without being dispatched leave it.
    /// </summary>
    private void KeepPayloadsOfWaitingTasks(Turn turn, CoreEffects effects)
    {
        foreach (var (id, payload) in turn.Payloads)
        {
            if (_core.FindActive(id) is { State: TaskState.Pending })
            {
                _payloads.Add(id, payload);
            }
        }

        turn.Payloads.Clear();
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
    /// than the scheduler, and the turn may be written again. False when no document is to blame.
    /// </summary>
    private bool FailUnstorableTasks(CoreEffects effects, Exception error)
    {
        var oversized = _journal.Oversized(effects.Changed.Values);
        foreach (var (id, bytes) in oversized)
        {
            _logger.LogError(error, "Task {TaskId} fails: its journal document would be {Bytes} bytes", id, bytes);
            effects.Add(_core.FailUnstorable(
                id,
                $"failed by the scheduler: the task's journal record grew to {bytes} bytes, beyond the journal's limit of {_journal.MaxDocumentBytes}",
                effects.Changed.GetValueOrDefault(id)));
        }

        return oversized.Count > 0;
    }

    private void PublishView()
    {
        var view = _core.View();
        _state.Publish(view);
        _state.Autoscale = _demand.Update(view);
        _state.Schedules = _schedules.Views;
    }

    private string PayloadOf(Guid taskId, Turn turn)
    {
        if (turn.Payloads.TryGetValue(taskId, out var payload) || _payloads.TryTake(taskId, out payload))
        {
            return payload;
        }

        return _journal.FindPayload(_core.FindActive(taskId)?.Sequence ?? 0)
            ?? throw new InvalidOperationException($"The journal has no payload for task {taskId}.");
    }
}
