using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// What one core operation decided: journal writes first, then the messages that may only be sent once those
/// writes are durable. Each operation returns a fresh one; the engine adds them up, in order, into its group's
/// (<see cref="Add"/>).
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

    /// <summary>
    /// Adds what a later operation decided. A later snapshot of a task replaces an earlier one. An attempt assigned
    /// later supersedes a cancel of that same attempt decided earlier: a heartbeat claimed the attempt before the
    /// task was known (a forgery, or a message that overtook the submission), and that cancel must not chase the
    /// attempt issued now.
    /// </summary>
    public void Add(CoreEffects later)
    {
        if (Cancels.Count > 0)
        {
            foreach (var assignment in later.Assignments)
            {
                Cancels.RemoveAll(c => c.Order.TaskId == assignment.TaskId && c.Order.Attempt == assignment.Attempt);
            }
        }

        foreach (var (id, snapshot) in later.Changed)
        {
            Changed[id] = snapshot;
        }

        History.AddRange(later.History);
        Assignments.AddRange(later.Assignments);
        Events.AddRange(later.Events);
        Cancels.AddRange(later.Cancels);
        Preempts.AddRange(later.Preempts);
        RemovedWorkers.AddRange(later.RemovedWorkers);
    }

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
