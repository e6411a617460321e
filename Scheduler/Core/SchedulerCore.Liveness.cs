using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Core;

/// <summary>The core's liveness rule: only silence while the scheduler was reading heartbeats counts against a worker. See SchedulerCore.cs for the state they share.</summary>
public sealed partial class SchedulerCore
{
    /// <summary>
    /// The scheduler lost its broker connection: no heartbeat can reach it, so silence proves nothing until
    /// <see cref="BrokerReconnected"/>.
    /// </summary>
    public void BrokerDisconnected() => _livenessFrom = DateTimeOffset.MaxValue;

    /// <summary>
    /// The assignments decided so far went out only now: the journal could not write the turn that made them, and
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
    public CoreEffects CheckLiveness()
    {
        var effects = Begin();
        var now = _time.GetUtcNow();
        if (now < _livenessFrom)
        {
            return effects;
        }

        if (_backlogSince is { } since && now - since <= _liveness.Window)
        {
            // Catching up on unread input: a worker's latest heartbeat may be waiting in it.
            return effects;
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

        return effects;
    }
}
