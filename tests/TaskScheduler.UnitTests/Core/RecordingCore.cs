using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.UnitTests;

/// <summary>
/// A <see cref="SchedulerCore"/> whose operations' effects are added up in <see cref="Effects"/>, as the engine adds
/// up a group's (with <see cref="CoreEffects.Add"/>), until a test clears them: the core tests speak of what a
/// sequence of operations decided.
/// </summary>
public sealed class RecordingCore(SchedulerCore core)
{
    public SchedulerCore Inner { get; } = core;

    public CoreEffects Effects { get; } = new();

    public SchedulerCounters Counters => Inner.Counters;

    public int MaxGraphTasks => Inner.MaxGraphTasks;

    public int PendingCount => Inner.PendingCount;

    public int WaitingOnDependenciesCount => Inner.WaitingOnDependenciesCount;

    public int WaitingOnTimeCount => Inner.WaitingOnTimeCount;

    public int ActiveCount => Inner.ActiveCount;

    public int RunningCount => Inner.RunningCount;

    public IReadOnlyDictionary<string, WorkerEntry> Workers => Inner.Workers;

    public DateTimeOffset? NextWakeAt => Inner.NextWakeAt;

    public ScheduledTask? FindActive(Guid id) => Inner.FindActive(id);

    public SchedulerView View() => Inner.View();

    public void Restore(IEnumerable<TaskSnapshot> unfinished, long lastSequence) => WholeRestore.Restore(Inner, unfinished, lastSequence);

    public void BeginRestore(IEnumerable<TaskSnapshot> unfinished, long lastSequence) => Inner.BeginRestore(unfinished, lastSequence);

    public void RestoreChunk(IReadOnlyList<TaskSnapshot> pending, bool last) => Effects.Add(Inner.RestoreChunk(pending, last));

    public void LoadOnDemand(TaskSnapshot task) => Effects.Add(Inner.LoadOnDemand(task));

    public SubmitOutcome Submit(Guid id, int priority, string contentHash, int payloadBytes, TaskSnapshot? journaled) =>
        Keep(Inner.Submit(id, priority, contentHash, payloadBytes, journaled));

    public SubmitVerdict Submit(ParsedSubmission task, TaskSnapshot? journaled) => Keep(Inner.Submit(task, journaled));

    public SubmitVerdict Submit(IReadOnlyList<ParsedSubmission> tasks, IReadOnlyDictionary<Guid, TaskSnapshot> journaled) =>
        Keep(Inner.Submit(tasks, journaled));

    public void CountRejected() => Inner.CountRejected();

    public CancelOutcome Cancel(Guid id, string reason, TaskSnapshot? journaled) => Keep(Inner.Cancel(id, reason, journaled));

    public TaskActionVerdict Retry(Guid id, string actor, string? why, IReadOnlyDictionary<Guid, TaskSnapshot> journaled) =>
        Keep(Inner.Retry(id, actor, why, journaled));

    public TaskActionVerdict ChangePriority(Guid id, int priority, string actor, string? why, TaskSnapshot? journaled) =>
        Keep(Inner.ChangePriority(id, priority, actor, why, journaled));

    public TaskActionVerdict CheckDelete(Guid id, TaskSnapshot? journaled) => Inner.CheckDelete(id, journaled);

    /// <summary>Fails an unstorable task as the engine does: with the snapshot the group was to write of it.</summary>
    public void FailUnstorable(Guid id, string reason) => Effects.Add(Inner.FailUnstorable(id, reason, Effects.Changed.GetValueOrDefault(id)));

    public void WorkerJoined(WorkerJoined joined) => Effects.Add(Inner.WorkerJoined(joined));

    public void Heartbeat(WorkerHeartbeat beat) => Effects.Add(Inner.Heartbeat(beat));

    public bool Finish(TaskFinished result) => Keep(Inner.Finish(result));

    public bool Preempted(TaskPreempted report) => Keep(Inner.Preempted(report));

    public bool Checkpointed(TaskCheckpointed report) => Keep(Inner.Checkpointed(report));

    public void WorkerLeft(WorkerLeft left) => Effects.Add(Inner.WorkerLeft(left));

    public void AssignmentUndeliverable(Assignment assignment) => Effects.Add(Inner.AssignmentUndeliverable(assignment));

    public void BrokerDisconnected() => Inner.BrokerDisconnected();

    public void BrokerReconnected() => Inner.BrokerReconnected();

    public void Attend(bool drained) => Inner.Attend(drained);

    public void CheckLiveness() => Effects.Add(Inner.CheckLiveness());

    /// <summary>Dispatches; returns how many tasks were assigned.</summary>
    public int Dispatch()
    {
        var effects = Inner.Dispatch();
        Effects.Add(effects);
        return effects.Assignments.Count;
    }

    private T Keep<T>(CoreResult<T> result)
    {
        Effects.Add(result.Effects);
        return result.Value;
    }
}
