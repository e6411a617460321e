using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>Everything that reaches the scheduler loop, in arrival order.</summary>
public abstract record SchedulerInput;

/// <summary>A submission from the broker; <see cref="DeliveryTag"/> is acknowledged once it is dealt with durably.</summary>
public sealed record BrokerSubmission(
    ulong DeliveryTag,
    ParsedSubmission? Parsed,
    SubmissionRejection? Rejection,
    ReadOnlyMemory<byte> Body,
    IDictionary<string, object?>? Headers) : SchedulerInput;

/// <summary>A submission over HTTP; <see cref="Reply"/> completes after the journal commit.</summary>
public sealed record HttpSubmission(ParsedSubmission Parsed, TaskCompletionSource<SubmitOutcome> Reply) : SchedulerInput
{
    /// <summary>The caller's trace context (its <c>traceparent</c> header), so the task's spans join the caller's trace.</summary>
    public System.Diagnostics.ActivityContext? Producer { get; init; }
}

/// <summary>A joined, heartbeat, result or left message from a worker.</summary>
public sealed record WorkerMessage(ulong DeliveryTag, object Message) : SchedulerInput;

/// <summary>A worker event that could not be read: acknowledged and counted, nothing else.</summary>
public sealed record UnreadableWorkerMessage(ulong DeliveryTag, string Reason) : SchedulerInput;

/// <summary>An assignment the broker returned because the worker's queue no longer exists.</summary>
public sealed record AssignmentReturned(Assignment Assignment) : SchedulerInput;

/// <summary>The scheduler's broker connection went down (<c>false</c>) or was recovered (<c>true</c>).</summary>
public sealed record BrokerConnectionChanged(bool Connected) : SchedulerInput;
