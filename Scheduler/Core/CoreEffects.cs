using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// What the core decided since the effects were last taken: journal writes first, then the messages that may only
/// be sent once those writes are durable.
/// </summary>
public sealed class CoreEffects
{
    public Dictionary<Guid, TaskSnapshot> Changed { get; } = [];

    /// <summary>Steps of the tasks' lives, journaled with <see cref="Changed"/>.</summary>
    public List<HistoryRecord> History { get; } = [];

    public List<Assignment> Assignments { get; } = [];

    public List<TaskStateChanged> Events { get; } = [];

    public List<WorkerCancel> Cancels { get; } = [];

    public List<WorkerPreempt> Preempts { get; } = [];

    /// <summary>Workers that are gone (left or declared dead): their queues can be deleted.</summary>
    public List<string> RemovedWorkers { get; } = [];

    public bool IsEmpty =>
        Changed.Count == 0 && History.Count == 0 && Assignments.Count == 0 && Events.Count == 0 && Cancels.Count == 0
        && Preempts.Count == 0 && RemovedWorkers.Count == 0;

    public void Clear()
    {
        Changed.Clear();
        History.Clear();
        Assignments.Clear();
        Events.Clear();
        Cancels.Clear();
        Preempts.Clear();
        RemovedWorkers.Clear();
    }
}
