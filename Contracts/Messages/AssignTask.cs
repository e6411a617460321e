namespace TaskScheduler.Contracts.Messages;

/// <summary>The scheduler's order to a worker to run one attempt of a task.</summary>
public sealed record AssignTask(Guid TaskId, int Attempt, int Priority, string Payload, DateTimeOffset AssignedAt)
{
    /// <summary>Work already done by earlier attempts that were preempted: the attempt continues from there.</summary>
    public TimeSpan Progress { get; init; }

    /// <summary>W3C <c>traceparent</c> of the scheduler's <c>task.assign</c> span, for orders sent in a batch.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }
}
