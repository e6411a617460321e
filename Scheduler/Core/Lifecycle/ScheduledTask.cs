using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core.Lifecycle;

/// <summary>
/// The state machine of one task the scheduler still has to finish. Every change goes through a method that
/// refuses an illegal transition, so no caller can, say, complete a task twice. How a waiting task is stored compactly
/// (a million of them are held at once: docs/benchmarks.md, target 5) is in ScheduledTask.Storage.cs. Just over 400
/// lines because every transition of the state machine is here, side by side with the rules it checks.
/// </summary>
public sealed partial class ScheduledTask
{
    public ScheduledTask(
        Guid id,
        int priority,
        long sequence,
        DateTimeOffset submittedAt,
        string contentHash,
        int payloadBytes,
        IReadOnlyList<Guid>? dependsOn = null,
        int maxRetries = 0)
    {
        Id = id;
        Priority = priority;
        Sequence = sequence;
        SubmittedAt = submittedAt;
        ContentHash = contentHash;
        PayloadBytes = payloadBytes;
        DependsOn = dependsOn ?? [];
        MaxRetries = maxRetries;
    }

    public Guid Id { get; }

    public int Priority { get; private set; }

    /// <summary>Order of acceptance: FIFO within a priority, and the place a requeued task returns to.</summary>
    public long Sequence { get; }

    public int PayloadBytes { get; }

    /// <summary>How long one attempt may run; null leaves it to the worker's default.</summary>
    public TimeSpan? Timeout { get => _extras?.Timeout; init => SetExtra(value, static (x, v) => x.Timeout = v); }

    /// <summary>Its earliest start, required worker tags and tenant group; null for a plain task.</summary>
    public TaskPlacement? Placement { get => _extras?.Placement; init => SetExtra(value, static (x, v) => x.Placement = v); }

    public DateTimeOffset? RunAt => Placement?.RunAt;

    public IReadOnlyList<string> Requires => Placement?.Requires ?? [];

    public string? Group => Placement?.Group;

    /// <summary>When a task waiting on the clock (a retry's backoff, a delayed start) may join the queue.</summary>
    public DateTimeOffset? DueAt => Wait switch
    {
        PendingWait.RetryBackoff => RetryAt,
        PendingWait.Scheduled => RunAt,
        _ => null,
    };

    public TaskState State { get => (TaskState)_state; private set => _state = (byte)value; }

    /// <summary>The number of the current (or last) attempt; 0 until first assigned.</summary>
    public int Attempt { get => _details?.Attempt ?? 0; private set => Set(value, static (d, v) => d.Attempt = v); }

    public string? WorkerId { get => _details?.WorkerId; private set => Set(value, static (d, v) => d.WorkerId = v); }

    public DateTimeOffset? AssignedAt { get => _details?.AssignedAt; private set => Set(value, static (d, v) => d.AssignedAt = v); }

    public DateTimeOffset? StartedAt { get => _details?.StartedAt; private set => Set(value, static (d, v) => d.StartedAt = v); }

    public DateTimeOffset? FinishedAt { get => _details?.FinishedAt; private set => Set(value, static (d, v) => d.FinishedAt = v); }

    public string? Error { get => _details?.Error; private set => Set(value, static (d, v) => d.Error = v); }

    /// <summary>Why the task last went back to Pending, if it did.</summary>
    public string? Note { get => _details?.Note; private set => Set(value, static (d, v) => d.Note = v); }

    /// <summary>For a Pending task: in the queue, in the queue after a preemption, or waiting out a retry's backoff.</summary>
    public PendingWait Wait { get => (PendingWait)_wait; private set => _wait = (byte)value; }

    /// <summary>Failed attempts retried so far.</summary>
    public int Retries { get => _details?.Retries ?? 0; private set => Set(value, static (d, v) => d.Retries = v); }

    /// <summary>When a retry waiting out its backoff may run.</summary>
    public DateTimeOffset? RetryAt { get => _details?.RetryAt; private set => Set(value, static (d, v) => d.RetryAt = v); }

    /// <summary>The last checkpoint an attempt saved or paused with: opaque text the next attempt starts from.</summary>
    public string? Checkpoint { get => _details?.Checkpoint; private set => Set(value, static (d, v) => d.Checkpoint = v); }

    /// <summary>A Completed task's result, if it returned one.</summary>
    public string? Result { get => _details?.Result; private set => Set(value, static (d, v) => d.Result = v); }

    /// <summary>The running attempt's latest progress report. Not journaled: it is as fresh as the last heartbeat.</summary>
    public TaskProgress? LiveProgress { get => _details?.LiveProgress; private set => Set(value, static (d, v) => d.LiveProgress = v); }

    public int Preemptions { get => _details?.Preemptions ?? 0; private set => Set(value, static (d, v) => d.Preemptions = v); }

    /// <summary>Times the task was requeued because the worker running it died (not handed back, not preempted).</summary>
    public int WorkerDeaths { get => _details?.WorkerDeaths ?? 0; private set => Set(value, static (d, v) => d.WorkerDeaths = v); }

    /// <summary>Steps of the task's life after its acceptance, oldest first.</summary>
    public IReadOnlyList<TaskHistoryEntry> History
    {
        get => _details?.History ?? (IReadOnlyList<TaskHistoryEntry>)[];
        private init
        {
            if (value.Count > 0)
            {
                Details.Of(ref _details).History = [.. value];
            }
        }
    }

    /// <summary>Dependencies not completed yet. Not journaled: rebuilt from the unfinished tasks on restore.</summary>
    public int UnfinishedDependencies
    {
        get => _extras?.UnfinishedDependencies ?? 0;
        internal set => SetExtra(value, static (x, v) => x.UnfinishedDependencies = v);
    }

    public bool IsWaitingOnDependencies => State == TaskState.Pending && UnfinishedDependencies > 0;

    /// <summary>When a preempt order for the current attempt was sent; null when none is outstanding.</summary>
    public DateTimeOffset? PreemptRequestedAt { get => _details?.PreemptRequestedAt; private set => Set(value, static (d, v) => d.PreemptRequestedAt = v); }

    /// <summary>The worker's latest estimate of the time the current attempt still needs, and when it was heard.</summary>
    public (TimeSpan Remaining, DateTimeOffset At)? Estimate { get => _details?.Estimate; private set => Set(value, static (d, v) => d.Estimate = v); }

    public void Assign(string workerId, DateTimeOffset now)
    {
        Require(TaskState.Pending, "assign");
        if (IsWaitingOnDependencies)
        {
            throw new InvalidOperationException($"Cannot assign task {Id}: {UnfinishedDependencies} dependencies are unfinished.");
        }

        State = TaskState.Running;
        Attempt++;
        WorkerId = workerId;
        AssignedAt = now;
        StartedAt = null;
        Note = null;
        Wait = PendingWait.Queued;
        RetryAt = null;
        PreemptRequestedAt = null;
        Estimate = null;
        LiveProgress = null;
    }

    /// <summary>A new task asked to start later than <paramref name="now"/>: it waits for the clock, out of the queue.</summary>
    public bool WaitForStart(DateTimeOffset now)
    {
        Require(TaskState.Pending, "delay");
        if (RunAt is not { } runAt || runAt <= now || Attempt > 0)
        {
            return false;
        }

        Wait = PendingWait.Scheduled;
        return true;
    }

    /// <summary>Adds a step to the history; "accepted" is implied by the task itself and not stored.</summary>
    public void AddHistory(TaskHistoryEntry entry)
    {
        if (entry.Event != TaskHistoryEvents.Accepted)
        {
            TaskHistory.Append(Details.Of(ref _details).History ??= [], entry);
        }
    }

    /// <summary>The worker says it runs the current attempt (a heartbeat lists it): it has started.</summary>
    public bool MarkStarted(DateTimeOffset at)
    {
        Require(TaskState.Running, "start");
        if (StartedAt is not null)
        {
            return false;
        }

        StartedAt = at;
        return true;
    }

    /// <summary>
    /// The worker reported when the current attempt started (its result's startedAt, brought within the assignment
    /// and <paramref name="latest"/>): the "started" step a heartbeat recorded when it first named the attempt, up to
    /// an interval late, takes that time. Other steps are not touched. False when the step is not kept.
    /// </summary>
    public bool DateStartedStep(DateTimeOffset reported, DateTimeOffset latest)
    {
        Require(TaskState.Running, "date the start of");
        var history = _details?.History;
        var step = history?.FindLastIndex(e => e.Event == TaskHistoryEvents.Started && e.Attempt == Attempt) ?? -1;
        if (step < 0)
        {
            return false;
        }

        history![step] = history[step] with { At = StartedStep(reported, AssignedAt, latest) };
        return true;
    }

    /// <summary>
    /// When an attempt started, for its history: the worker's own time, no earlier than the assignment and no later
    /// than <paramref name="latest"/> (when the scheduler first knew it ran), so the history stays in order whatever
    /// the worker's clock says.
    /// </summary>
    public static DateTimeOffset StartedStep(DateTimeOffset reported, DateTimeOffset? assignedAt, DateTimeOffset latest)
    {
        var earliest = assignedAt is { } assigned && assigned <= latest ? assigned : latest;
        return reported < earliest ? earliest : reported > latest ? latest : reported;
    }

    public void RecordEstimate(TimeSpan remaining, DateTimeOffset now)
    {
        Require(TaskState.Running, "estimate");
        Estimate = (remaining, now);
    }

    public void RecordProgress(TaskProgress progress)
    {
        Require(TaskState.Running, "report progress on");
        LiveProgress = progress;
    }

    /// <summary>The running attempt saved a checkpoint: the next attempt starts from it should this one be lost.</summary>
    public void SaveCheckpoint(string checkpoint)
    {
        Require(TaskState.Running, "checkpoint");
        Checkpoint = checkpoint;
    }

    /// <summary>Time the current attempt still needs by its worker's last estimate, or null when there is none.</summary>
    public TimeSpan? RemainingAt(DateTimeOffset now) =>
        Estimate is { } e ? TimeMath.Minus(e.Remaining, now - e.At) : null;

    /// <summary>Why the outstanding preempt order was given, for the task's history.</summary>
    public string? PreemptReason { get => _details?.PreemptReason; private set => Set(value, static (d, v) => d.PreemptReason = v); }

    public void RequestPreemption(DateTimeOffset now, string reason)
    {
        Require(TaskState.Running, "preempt");
        PreemptRequestedAt = now;
        PreemptReason = reason;
    }

    /// <summary>The preempt order got no answer in time (lost, or the worker never saw the assignment): forget it.</summary>
    public void ForgetPreemptionRequest() => PreemptRequestedAt = null;

    /// <summary>The worker running the current attempt died: one more death this task was present at.</summary>
    public void CountWorkerDeath()
    {
        Require(TaskState.Running, "count a worker death of");
        WorkerDeaths++;
    }

    public void ReturnToPending(string reason)
    {
        Require(TaskState.Running, "requeue");
        State = TaskState.Pending;
        WorkerId = null;
        AssignedAt = null;
        StartedAt = null;
        Note = reason;
        Wait = PendingWait.Queued;
        PreemptRequestedAt = null;
        Estimate = null;
        LiveProgress = null;
    }

    /// <summary>
    /// The worker paused the attempt on a preempt order with <paramref name="checkpoint"/>; null keeps the last one saved.
    /// </summary>
    public void Pause(string? checkpoint, string note)
    {
        Require(TaskState.Running, "pause");
        ReturnToPending(note);
        Checkpoint = checkpoint ?? Checkpoint;
        Preemptions++;
        Wait = PendingWait.Preempted;
    }

    public void Finish(TaskOutcome outcome, string? error, DateTimeOffset startedAt, DateTimeOffset finishedAt, string? result = null)
    {
        Require(TaskState.Running, "finish");
        State = outcome == TaskOutcome.Completed ? TaskState.Completed : TaskState.Failed;
        StartedAt = startedAt;
        FinishedAt = finishedAt;
        Error = outcome == TaskOutcome.Failed ? error ?? "failed without an error text" : null;
        Result = outcome == TaskOutcome.Completed ? result : null;
        PreemptRequestedAt = null;
        Estimate = null;
        LiveProgress = null;
    }

    /// <summary>The attempt failed and retries are left: back to Pending, to run again at <paramref name="retryAt"/>.</summary>
    public void ScheduleRetry(string? error, DateTimeOffset retryAt)
    {
        Require(TaskState.Running, "retry");
        if (Retries >= MaxRetries)
        {
            throw new InvalidOperationException($"Cannot retry task {Id}: its {MaxRetries} retries are used up.");
        }

        var failed = Attempt;
        Retries++;
        Error = error ?? "failed without an error text";
        ReturnToPending($"attempt {failed} failed; retry {Retries} of {MaxRetries} at {retryAt:O}");
        Wait = PendingWait.RetryBackoff;
        RetryAt = retryAt;
    }

    public void Cancel(string reason, DateTimeOffset now)
    {
        if (State.IsFinal())
        {
            throw new InvalidOperationException($"Cannot cancel task {Id}: it is {State}.");
        }

        State = TaskState.Cancelled;
        FinishedAt = now;
        Error = reason;
        PreemptRequestedAt = null;
        Estimate = null;
    }

    /// <summary>A task it waits for failed or was cancelled, so it never runs.</summary>
    public void FailForDependency(string reason, DateTimeOffset now)
    {
        Require(TaskState.Pending, "fail for a dependency");
        State = TaskState.Failed;
        FinishedAt = now;
        Error = reason;
    }

    /// <summary>An operator changed the priority of the waiting task: it takes its new place in the queue.</summary>
    public void ChangePriority(int priority)
    {
        Require(TaskState.Pending, "change the priority of");
        Priority = priority;
    }

    /// <summary>
    /// A Failed or Cancelled task an operator retries: Pending again under the same id, its attempts and history kept,
    /// its automatic retries, backoff, checkpoint, error and result cleared, so the next attempt starts afresh.
    /// </summary>
    public static ScheduledTask Reopen(TaskSnapshot s, string note)
    {
        if (s.State is not (TaskState.Failed or TaskState.Cancelled))
        {
            throw new InvalidOperationException($"Task {s.Id} is {s.State}; only a Failed or Cancelled task is retried.");
        }

        return Restore(s with
        {
            State = TaskState.Pending,
            WorkerId = null,
            AssignedAt = null,
            StartedAt = null,
            FinishedAt = null,
            Error = null,
            Note = note,
            Wait = PendingWait.Queued,
            Retries = 0,
            RetryAt = null,
            Checkpoint = null,
            Result = null,
            WorkerDeaths = 0,
        });
    }

    /// <summary>Puts a task read back from the journal into the state it was committed in.</summary>
    public static ScheduledTask Restore(TaskSnapshot s)
    {
        if (s.State.IsFinal())
        {
            throw new InvalidOperationException($"Task {s.Id} is {s.State}; only unfinished tasks are restored.");
        }

        return new ScheduledTask(s.Id, s.Priority, s.Sequence, s.SubmittedAt, s.ContentHash, s.PayloadBytes, s.DependsOn, s.MaxRetries)
        {
            Timeout = s.Timeout,
            Placement = TaskPlacement.Of(s.RunAt, s.Requires, s.Group),
            State = s.State,
            Attempt = s.Attempts,
            WorkerId = s.WorkerId,
            AssignedAt = s.AssignedAt,
            StartedAt = s.StartedAt,
            Error = s.Error,
            Note = s.Note,
            Wait = s.Wait,
            Retries = s.Retries,
            RetryAt = s.RetryAt,
            Checkpoint = s.Checkpoint,
            Preemptions = s.Preemptions,
            WorkerDeaths = s.WorkerDeaths,
            History = s.History,
        };
    }

    public TaskSnapshot ToSnapshot() => new(
        Id, Priority, Sequence, State, Attempt, WorkerId, SubmittedAt, AssignedAt, StartedAt, FinishedAt, Error, Note,
        ContentHash, PayloadBytes)
    {
        DependsOn = DependsOn,
        MaxRetries = MaxRetries,
        Retries = Retries,
        RetryAt = RetryAt,
        Wait = Wait,
        Timeout = Timeout,
        RunAt = RunAt,
        Requires = Requires,
        Group = Group,
        Checkpoint = Checkpoint,
        Result = Result,
        Preemptions = Preemptions,
        WorkerDeaths = WorkerDeaths,
        History = _details?.History is { } history ? [.. history] : [],
    };

    private void Require(TaskState expected, string action)
    {
        if (State != expected)
        {
            throw new InvalidOperationException($"Cannot {action} task {Id}: it is {State}, not {expected}.");
        }
    }
}
