using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>Everything that reaches the scheduler loop, in arrival order.</summary>
public abstract record SchedulerInput
{
    /// <summary>How much of a turn this input fills: one, but a batch counts its tasks (the turn's size bounds its journal write).</summary>
    public virtual int Weight => 1;

    /// <summary>When the input was made, to be queued for the loop (a Stopwatch timestamp): its turn wait starts.</summary>
    public long QueuedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();
}

/// <summary>
/// A submission from the broker: one task (<see cref="Parsed"/>) or a graph (<see cref="Graph"/>), or neither and a
/// <see cref="Rejection"/>. <see cref="DeliveryTag"/> is acknowledged once it is dealt with durably.
/// </summary>
public sealed record BrokerSubmission(
    ulong DeliveryTag,
    ParsedSubmission? Parsed,
    InputRejection? Rejection,
    ReadOnlyMemory<byte> Body,
    IDictionary<string, object?>? Headers) : SchedulerInput
{
    /// <summary>The tasks of a graph submission (a JSON array), accepted or rejected together.</summary>
    public IReadOnlyList<ParsedSubmission>? Graph { get; init; }
}

/// <summary>A submission over HTTP; <see cref="Reply"/> completes after the journal commit.</summary>
public sealed record HttpSubmission(ParsedSubmission Parsed, TaskCompletionSource<SubmitVerdict> Reply) : SchedulerInput
{
    /// <summary>The caller's trace context (its <c>traceparent</c> header), so the task's spans join the caller's trace.</summary>
    public System.Diagnostics.ActivityContext? Producer { get; init; }
}

/// <summary>A submission over HTTP refused before it reached the loop (unreadable, invalid): counted as refused.</summary>
public sealed record RefusedHttpSubmission(string Reason) : SchedulerInput;

/// <summary>A graph submitted over HTTP; <see cref="Reply"/> completes after the journal commit.</summary>
public sealed record HttpGraphSubmission(IReadOnlyList<ParsedSubmission> Tasks, TaskCompletionSource<SubmitVerdict> Reply) : SchedulerInput;

/// <summary>
/// A batch submission from the broker (<c>submit-batch</c>): its tasks, each judged on its own, or the
/// <see cref="Rejection"/> of the whole batch. <see cref="Reply"/>, when the producer named a <c>reply_to</c>, is
/// completed with every task's outcome once the batch is durable.
/// </summary>
public sealed record BrokerBatchSubmission(
    ulong DeliveryTag,
    IReadOnlyList<BatchEntry>? Entries,
    InputRejection? Rejection,
    ReadOnlyMemory<byte> Body,
    IDictionary<string, object?>? Headers,
    TaskCompletionSource<SubmitTasksReply>? Reply) : SchedulerInput
{
    public override int Weight => Math.Max(1, Entries?.Count ?? 1);
}

/// <summary>A batch submitted over HTTP; <see cref="Reply"/> completes, with every task's outcome, after the journal commit.</summary>
public sealed record HttpBatchSubmission(IReadOnlyList<BatchEntry> Entries, TaskCompletionSource<SubmitTasksReply> Reply) : SchedulerInput
{
    public override int Weight => Math.Max(1, Entries.Count);
}

/// <summary>A cancel request from the broker's cancel queue, read or refused.</summary>
public sealed record BrokerCancel(
    ulong DeliveryTag,
    CancelTask? Request,
    InputRejection? Rejection,
    ReadOnlyMemory<byte> Body,
    IDictionary<string, object?>? Headers) : SchedulerInput;

/// <summary>A cancel request over HTTP; <see cref="Reply"/> completes after the journal commit.</summary>
public sealed record HttpCancel(Guid TaskId, string? Reason, TaskCompletionSource<CancelOutcome> Reply) : SchedulerInput;

/// <summary>A joined, heartbeat, results, preempted, checkpoint or left message from a worker, read and checked.</summary>
public sealed record WorkerMessage(ulong DeliveryTag, IWorkerEvent Message) : SchedulerInput;

/// <summary>A worker event that could not be read: acknowledged and counted, nothing else.</summary>
public sealed record UnreadableWorkerMessage(ulong DeliveryTag, string Reason) : SchedulerInput;

/// <summary>The scheduler's broker connection went down (<c>false</c>) or was recovered (<c>true</c>).</summary>
public sealed record BrokerConnectionChanged(bool Connected) : SchedulerInput;

/// <summary>The broker blocked (<c>true</c>, a memory or disk alarm) or unblocked the scheduler's connection.</summary>
public sealed record BrokerBlocked(bool Blocked, string Reason) : SchedulerInput;
