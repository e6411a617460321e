using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core;

/// <summary>The core's dispatch: due retries join the queue, free slots are filled, and preemptions are ordered. See SchedulerCore.cs for the state they share.</summary>
public sealed partial class SchedulerCore
{
    /// <summary>
    /// Queues the retries that are due, fills free worker slots from the pending queue (the least-loaded worker first), and when pending
    /// tasks outrank running ones and no slot is free, orders preemptions.
    /// </summary>
    public CoreEffects Dispatch()
    {
        var effects = Begin();
        var now = _time.GetUtcNow();
        foreach (var id in _timedWaits.TakeDue(now))
        {
            _pending.Add(_active[id]);
        }

        var round = new DispatchRound(_pending, _workers.Values, Groups, id => _active[id].Group, now) { Admits = _restoring is null ? null : Dispatchable };
        while (_pending.Count > 0 && round.TryTake(out var id, out var worker))
        {
            var task = _active[id];
            var resumes = task.Checkpoint is not null;
            task.Assign(worker.Id, now);
            worker.Hold(id);
            worker.IdleSince = now;
            _effects.Assignments.Add(new Assignment(task.Id, task.Attempt, task.Priority, worker.Id, now) { Checkpoint = task.Checkpoint, Timeout = task.Timeout });
            // A cancel of this attempt decided earlier in the turn is superseded when the engine adds these
            // effects to the turn's (CoreEffects.Add).
            if (resumes)
            {
                Counters.Resumed++;
                Record(task, now, TaskHistoryEvents.Resumed, worker.Id, $"from its {DescribeCheckpoint(task.Checkpoint)}");
            }
            else
            {
                Record(task, now, TaskHistoryEvents.Assigned, worker.Id, null);
            }
        }

        if (_pending.Count > 0 && _preemption.Enabled)
        {
            PlanPreemptions(now);
        }

        return effects;
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

            var pending = _active[id];
            if (!Dispatchable(PendingEntry.Of(pending)))
            {
                // A restore has not read what may outrank it, nor anything after it.
                break;
            }

            running ??= RunningTasks();
            if (Groups.HasLimits && !Groups.CanStart(pending.Group, now))
            {
                // Its group runs all it may: a freed slot would not go to it.
                continue;
            }

            // A task that needs tags frees a slot only where it can run; the next may need other tags, or none.
            var placeable = pending.Requires.Count == 0 ? running : running.FindAll(r => TagNames.Covers(r.Item2.Tags, pending.Requires));
            var victim = PreemptionPlanner.ChooseVictim(priority, placeable, _preemption, now);
            if (victim is null && pending.Requires.Count == 0)
            {
                break;
            }

            if (victim is null)
            {
                continue;
            }

            var reason = $"for task {id} of priority {priority.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            victim.RequestPreemption(now, reason);
            _preempting.Add(victim.Id);
            _effects.Preempts.Add(new WorkerPreempt(victim.WorkerId!, new PreemptTask(victim.Id, victim.Attempt, reason)));
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
}
