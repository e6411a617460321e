using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// The second lifecycle of a turn, after the loop has written it: make it durable (one fsync for every turn
/// waiting), then answer HTTP, send its orders and notices, store its refused inputs and only then acknowledge its
/// broker messages. Turns are delivered strictly in the order they were written; at most
/// <see cref="TurnsInDelivery"/> more wait their turn.
/// </summary>
internal sealed class TurnDelivery
{
    /// <summary>
    /// Turns written and waiting for delivery. One: the next turn is written while the previous one is made durable,
    /// and meanwhile inputs gather, so turns grow with load (a journal transaction has a high fixed cost).
    /// </summary>
    private const int TurnsInDelivery = 1;

    /// <summary>Turns whose orders and notices may await the broker's confirms at once.</summary>
    private const int OrderTurnsInFlight = 8;

    private readonly IJournal _journal;
    private readonly ITurnPublisher _publisher;
    private readonly PublishedView _state;
    private readonly ILogger _logger;
    private readonly Channel<Turn> _turns = Channel.CreateBounded<Turn>(
        new BoundedChannelOptions(TurnsInDelivery) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Queue<Task> _ordersInFlight = new();
    private readonly List<Assignment> _returned = [];
    private readonly List<RejectedInput> _unstoredRejections = [];
    private readonly List<TaskRejected> _unstoredRejectionEvents = [];

    /// <summary>The highest delivery tags of turns not acknowledged because refusals were waiting to be stored.</summary>
    private (ulong Submit, ulong Events, ulong Cancel) _heldTags;

    public TurnDelivery(IJournal journal, ITurnPublisher publisher, PublishedView state, ILogger logger)
    {
        _journal = journal;
        _publisher = publisher;
        _state = state;
        _logger = logger;
    }

    /// <summary>True when the broker handed back assignments the next turn must requeue.</summary>
    public bool HasReturned
    {
        get
        {
            lock (_returned)
            {
                return _returned.Count > 0;
            }
        }
    }

    /// <summary>Takes the assignments the broker handed back since the last call.</summary>
    public List<Assignment> TakeReturned()
    {
        lock (_returned)
        {
            var returned = _returned.ToList();
            _returned.Clear();
            return returned;
        }
    }

    /// <summary>Hands a written turn over; waits while earlier turns fill the queue. Throws once delivery has failed.</summary>
    public ValueTask HandOverAsync(Turn turn, CancellationToken ct) => _turns.Writer.WriteAsync(turn, ct);

    /// <summary>No more turns come: <see cref="DeliverAsync"/> delivers those handed over, in order, and returns.</summary>
    public void Complete() => _turns.Writer.TryComplete();

    /// <summary>
    /// The one place a failed commit (the turn's journal write, or the fsync that makes it durable) is handled.
    /// Nothing of the turn or of any later turn is published or acknowledged: the scheduler stops (the loop's
    /// next hand-over rethrows this), and the broker redelivers everything not acknowledged.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void CommitFailed(Exception error)
    {
        _turns.Writer.TryComplete(error);
        ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>
    /// Delivers written turns in order until <see cref="Complete"/> (then drains) or cancelled: one fsync for whatever turns are waiting, then for each
    /// its HTTP replies, orders and notices, stored rejections and broker acknowledgements.
    /// </summary>
    public async Task DeliverAsync(CancellationToken ct)
    {
        var batch = new List<Turn>();
        try
        {
            while (await _turns.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (_turns.Reader.TryRead(out var turn))
                {
                    SchedulerStages.Since(SchedulerStages.Handover, turn.HandedOverAt);
                    batch.Add(turn);
                }

                if (batch.Exists(g => g.Written))
                {
                    MakeDurable();
                }

                foreach (var turn in batch)
                {
                    await FinishAsync(turn, ct);
                }
            }

            while (_ordersInFlight.TryDequeue(out var orders))
            {
                await orders;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The loop's next hand-over rethrows this, so the scheduler stops instead of running on undurably.
            _turns.Writer.TryComplete(e);
            throw;
        }
    }

    private void MakeDurable()
    {
        try
        {
            _journal.MakeDurable();
        }
        catch (Exception e)
        {
            CommitFailed(e);
        }

        _state.RecordFlush(_journal.LastFlushDuration);
        SchedulerStages.Took(SchedulerStages.Fsync, _journal.LastFlushDuration);
    }

    private async Task FinishAsync(Turn turn, CancellationToken ct)
    {
        foreach (var (reply, verdict) in turn.HttpReplies)
        {
            reply.TrySetResult(verdict);
        }

        foreach (var (reply, answer) in turn.BatchReplies)
        {
            reply.TrySetResult(answer);
        }

        foreach (var (reply, outcome) in turn.CancelReplies)
        {
            reply.TrySetResult(outcome);
        }

        foreach (var (reply, verdicts) in turn.ActionReplies)
        {
            reply.TrySetResult(verdicts);
        }

        foreach (var (reply, outcome) in turn.ScheduleReplies)
        {
            reply.TrySetResult(outcome);
        }

        // Orders and notices of this turn go out while later turns are made durable. The broker confirms a
        // persistent message only once it is on its disk, so a turn does not wait for the previous turn's confirms
        // (that would add the broker's disk sync to every task's latency); a few turns in flight keep memory bounded.
        // Nothing is acknowledged on their account; an assignment that is never confirmed is caught by
        // reconciliation, a lost notice changes no state.
        var durable = System.Diagnostics.Stopwatch.GetTimestamp();
        while (_ordersInFlight.Count > 0 && (_ordersInFlight.Peek().IsCompleted || _ordersInFlight.Count >= OrderTurnsInFlight))
        {
            await _ordersInFlight.Dequeue();
        }

        SchedulerStages.Since(SchedulerStages.PublishWait, durable);

        _ordersInFlight.Enqueue(SendOrdersAsync(turn.Assignments, turn.Effects.Events, turn.Effects.Cancels, turn.Effects.Preempts, turn.SlotsRefilledSince, ct));

        var rejectionsStored = await StoreRejectionsAsync(turn, ct);
        foreach (var workerId in turn.Effects.RemovedWorkers)
        {
            await DeleteQueuesAsync(workerId, ct);
        }

        _heldTags = (Math.Max(_heldTags.Submit, turn.SubmitTag), Math.Max(_heldTags.Events, turn.EventsTag), Math.Max(_heldTags.Cancel, turn.CancelTag));
        if (rejectionsStored)
        {
            await AcknowledgeAsync(_heldTags, ct);
            _heldTags = default;
        }
    }

    private async Task SendOrdersAsync(
        List<(Assignment, string)> assignments, List<TaskStateChanged> events, List<WorkerCancel> cancels, List<WorkerPreempt> preempts,
        List<long> slotsRefilledSince, CancellationToken ct)
    {
        try
        {
            var sent = System.Diagnostics.Stopwatch.GetTimestamp();
            var returned = await _publisher.PublishOrdersAsync(assignments, events, cancels, preempts, ct);
            if (assignments.Count + events.Count > 0)
            {
                SchedulerStages.Since(SchedulerStages.Confirm, sent);
            }

            foreach (var freed in slotsRefilledSince)
            {
                SchedulerStages.Since(SchedulerStages.SlotRoundTrip, freed);
            }

            lock (_returned)
            {
                _returned.AddRange(returned);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Committed state stands: unconfirmed assignments are requeued by reconciliation.
            _logger.LogError(e, "Publishing the orders of a committed turn failed");
        }
    }

    /// <summary>
    /// Stores the turn's refused inputs, after those of earlier turns whose store failed: acknowledgements are
    /// cumulative (one <c>multiple</c> ack per channel), so no turn may be acknowledged while an earlier turn's
    /// refusals are not stored. False while any are waiting: the turn is then not acknowledged, and its store is
    /// tried again, in order, with the next turn.
    /// </summary>
    private async Task<bool> StoreRejectionsAsync(Turn turn, CancellationToken ct)
    {
        _unstoredRejections.AddRange(turn.Rejected);
        _unstoredRejectionEvents.AddRange(turn.RejectionEvents);
        if (_unstoredRejections.Count == 0 && _unstoredRejectionEvents.Count == 0)
        {
            return true;
        }

        try
        {
            await _publisher.PublishRejectionsAsync(_unstoredRejections, _unstoredRejectionEvents, ct);
            _unstoredRejections.Clear();
            _unstoredRejectionEvents.Clear();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unacknowledged, the refused inputs stay with the broker; if the scheduler stops before the next try
            // succeeds, they are redelivered and judged again.
            _logger.LogError(e, "Storing rejected submissions failed; trying again with the next turn");
            return false;
        }
    }

    private async Task DeleteQueuesAsync(string workerId, CancellationToken ct)
    {
        try
        {
            await _publisher.DeleteWorkerQueuesAsync(workerId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not delete the queues of worker {WorkerId}", workerId);
        }
    }

    private async Task AcknowledgeAsync((ulong Submit, ulong Events, ulong Cancel) tags, CancellationToken ct)
    {
        try
        {
            await _publisher.AckSubmissionsAsync(tags.Submit, ct);
            await _publisher.AckWorkerEventsAsync(tags.Events, ct);
            await _publisher.AckCancelsAsync(tags.Cancel, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Acknowledging a committed turn failed; the broker will redeliver it");
        }
    }
}
