using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// The state machine of one task the scheduler still has to finish. Every change goes through a method that
/// refuses an illegal transition, so no caller can, say, complete a task twice.
/// </summary>
public sealed class ScheduledTask
{
    public ScheduledTask(Guid id, int priority, long sequence, DateTimeOffset submittedAt, string contentHash, int payloadBytes)
    {
        Id = id;
        Priority = priority;
        Sequence = sequence;
        SubmittedAt = submittedAt;
        ContentHash = contentHash;
        PayloadBytes = payloadBytes;
    }

    public Guid Id { get; }

    public int Priority { get; }

    /// <summary>Order of acceptance: FIFO within a priority, and the place a requeued task returns to.</summary>
    public long Sequence { get; }

    public DateTimeOffset SubmittedAt { get; }

    public string ContentHash { get; }

    public int PayloadBytes { get; }

    public TaskState State { get; private set; } = TaskState.Pending;

    /// <summary>The number of the current (or last) attempt; 0 until first assigned.</summary>
    public int Attempt { get; private set; }

    public string? WorkerId { get; private set; }

    public DateTimeOffset? AssignedAt { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Why the task last went back to Pending, if it did.</summary>
    public string? Note { get; private set; }

    public void Assign(string workerId, DateTimeOffset now)
    {
        Require(TaskState.Pending, "assign");
        State = TaskState.Running;
        Attempt++;
        WorkerId = workerId;
        AssignedAt = now;
        StartedAt = null;
        Note = null;
    }

    public void ReturnToPending(string reason)
    {
        Require(TaskState.Running, "requeue");
        State = TaskState.Pending;
        WorkerId = null;
        AssignedAt = null;
        StartedAt = null;
        Note = reason;
    }

    public void Finish(TaskOutcome outcome, string? error, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        Require(TaskState.Running, "finish");
        State = outcome == TaskOutcome.Completed ? TaskState.Completed : TaskState.Failed;
        StartedAt = startedAt;
        FinishedAt = finishedAt;
        Error = outcome == TaskOutcome.Failed ? error ?? "failed without an error text" : null;
    }

    /// <summary>Puts a task read back from the journal into the state it was committed in.</summary>
    public static ScheduledTask Restore(TaskSnapshot s)
    {
        if (s.State.IsFinal())
        {
            throw new InvalidOperationException($"Task {s.Id} is {s.State}; only unfinished tasks are restored.");
        }

        return new ScheduledTask(s.Id, s.Priority, s.Sequence, s.SubmittedAt, s.ContentHash, s.PayloadBytes)
        {
            State = s.State,
            Attempt = s.Attempts,
            WorkerId = s.WorkerId,
            AssignedAt = s.AssignedAt,
            Note = s.Note,
        };
    }

    public TaskSnapshot ToSnapshot() => new(
        Id, Priority, Sequence, State, Attempt, WorkerId, SubmittedAt, AssignedAt, StartedAt, FinishedAt, Error, Note,
        ContentHash, PayloadBytes);

    private void Require(TaskState expected, string action)
    {
        if (State != expected)
        {
            throw new InvalidOperationException($"Cannot {action} task {Id}: it is {State}, not {expected}.");
        }
    }
}
